using System.Threading.Channels;
using ProxChat.Transport.Protocol;

namespace ProxChat.Transport.Sessions;

/// <summary>
/// One connection's messages on their way out, bounded twice: by count (<c>SendQueueLimit</c>), and
/// by the bytes of the relay payloads it holds (<c>SendQueueByteLimit</c>), since each may be as
/// large as <c>MaxMessageBytes</c> and the count alone would let a slow reader hold a thousand of
/// them. Full means the client is not keeping up; its connection then drops it. Relays may fill
/// only <see cref="RelayShare"/> of either bound: past it they are refused (<see cref="TryWriteRelay"/>)
/// and their senders told the target is busy, so senders cannot get a target dropped, and its
/// own messages (sets, errors) still fit; only a client that stops reading those is dropped.
/// </summary>
public sealed class OutgoingMessages
{
    /// <summary>The part of the queue relays may fill.</summary>
    public const double RelayShare = 0.75;

    private readonly Channel<ServerMessage> _channel;
    private readonly long _payloadByteLimit;
    private readonly int _relayMessageLimit;
    private readonly long _relayByteLimit;
    private long _payloadBytes;
    private int _relays;
    private volatile bool _isComplete;

    public OutgoingMessages(int messageLimit, long payloadByteLimit)
    {
        _channel = Channel.CreateBounded<ServerMessage>(new BoundedChannelOptions(messageLimit)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _payloadByteLimit = payloadByteLimit;
        _relayMessageLimit = (int)(messageLimit * RelayShare);
        _relayByteLimit = (long)(payloadByteLimit * RelayShare);
    }

    /// <summary>Queues a relay if relays have not filled their share of the queue.</summary>
    /// <returns>False when they have (or the queue is complete): the target is busy.</returns>
    public bool TryWriteRelay(in ServerMessage message)
    {
        // Counted here rather than asking the channel, which would take its lock once more per relay.
        if (Interlocked.Increment(ref _relays) > _relayMessageLimit)
        {
            Interlocked.Decrement(ref _relays);
            return false;
        }

        var bytes = message.Payload.Utf8Literal.Length;
        if (Interlocked.Add(ref _payloadBytes, bytes) <= _relayByteLimit && _channel.Writer.TryWrite(message))
        {
            return true;
        }

        Interlocked.Add(ref _payloadBytes, -bytes);
        Interlocked.Decrement(ref _relays);
        return false;
    }

    /// <returns>False when the queue is full, or completed (<see cref="IsComplete"/> tells which).</returns>
    public bool TryWrite(in ServerMessage message)
    {
        var bytes = message.Payload.Utf8Literal.Length;
        if (Interlocked.Add(ref _payloadBytes, bytes) <= _payloadByteLimit && _channel.Writer.TryWrite(message))
        {
            if (message.IsRelay)
            {
                Interlocked.Increment(ref _relays);
            }

            return true;
        }

        Interlocked.Add(ref _payloadBytes, -bytes);
        return false;
    }

    public bool TryRead(out ServerMessage message)
    {
        if (!_channel.Reader.TryRead(out message))
        {
            return false;
        }

        Interlocked.Add(ref _payloadBytes, -message.Payload.Utf8Literal.Length);
        if (message.IsRelay)
        {
            Interlocked.Decrement(ref _relays);
        }

        return true;
    }

    /// <summary>
    /// Waits until a message can be read, or the queue is complete and read out. It takes no token:
    /// the channel reuses one wait that cannot be cancelled, but makes a new one for each wait that
    /// can, one per connection and message, each alive until the next message comes and so kept
    /// by most garbage collections. <see cref="CompleteOn"/> ends a connection's wait instead.
    /// </summary>
    public ValueTask<bool> WaitToReadAsync() => _channel.Reader.WaitToReadAsync(CancellationToken.None);

    /// <summary>Completes the queue when <paramref name="cancellationToken"/> is cancelled, ending the reader's wait.</summary>
    public CancellationTokenRegistration CompleteOn(CancellationToken cancellationToken) =>
        cancellationToken.UnsafeRegister(static queue => ((OutgoingMessages)queue!).Complete(), this);

    /// <summary>True once <see cref="Complete"/> has been called, directly or by <see cref="CompleteOn"/>'s token.</summary>
    public bool IsComplete => _isComplete;

    /// <summary>No more messages: the reader ends once it has read those queued.</summary>
    public void Complete()
    {
        // Set first, so that a write refused for completion already reads as complete.
        _isComplete = true;
        _channel.Writer.TryComplete();
    }
}
