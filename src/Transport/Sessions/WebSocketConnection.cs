using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ProxChat.Transport.Protocol;
using ProxChat.Transport.Signaling;

namespace ProxChat.Transport.Sessions;

/// <summary>
/// A client on a raw WebSocket. One receive loop parses and handles messages in order; one write
/// loop owns every send, so each message goes out as a single complete text frame. The send queue
/// is bounded (<see cref="OutgoingMessages"/>): a client that stops reading is dropped rather than growing memory.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The connection lives exactly as long as RunAsync, which disposes what it owns.")]
public sealed partial class WebSocketConnection : ClientConnection
{
    // Most messages (positions, candidates) are far smaller; offers spill into the assembly buffer.
    private const int ReceiveBufferSize = 4096;

    internal static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);

    private readonly WebSocket _socket;
    private readonly SignalingService _signaling;
    private readonly ConnectionSet _connections;
    private readonly ILogger _logger;
    private readonly int _maxMessageBytes;
    private readonly OutgoingMessages _queue;
    private readonly LivenessStream? _stream;
    private readonly CancellationTokenSource _abort = new();
    private int _closeRequested;
    private WebSocketCloseStatus _closeStatus;
    private string _closeReason = string.Empty;

    public WebSocketConnection(
        WebSocket socket,
        SignalingService signaling,
        ConnectionSet connections,
        ProxChatOptions options,
        TimeProvider time,
        ILogger logger,
        LivenessStream? stream = null,
        ConnectionIdentity? identity = null)
        : base(time.GetTimestamp(), ConnectionLimits.Create(options), identity)
    {
        _socket = socket;
        _stream = stream;
        _signaling = signaling;
        _connections = connections;
        _logger = logger;
        _maxMessageBytes = options.MaxMessageBytes;
        _queue = new OutgoingMessages(options.SendQueueLimit, options.SendQueueByteLimit);
    }

    public override void Send(in ServerMessage message)
    {
        // A completed queue belongs to a connection that is closing or was aborted, not a slow one.
        if (_queue.TryWrite(message) || _queue.IsComplete || Volatile.Read(ref _closeRequested) != 0)
        {
            return;
        }

        Log.SendQueueFull(_logger, Id, ClientId);
        Close(CloseCodes.SendQueueFull, "Send queue full: the client is not reading its messages.");

        // The write loop is stuck behind a full socket and cannot send a close frame: drop now.
        Abort();
    }

    public override bool TrySendRelay(in ServerMessage message) => _queue.TryWriteRelay(message);

    public override void Close(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.Exchange(ref _closeRequested, 1) != 0)
        {
            return;
        }

        _closeStatus = status;
        _closeReason = reason;
        _queue.Complete();
        try
        {
            _abort.CancelAfter(CloseHandshakeTimeout);
        }
        catch (ObjectDisposedException)
        {
            // The connection already finished.
        }
    }

    /// <summary>
    /// Pings the client through the upgraded stream. A WebSocket that came another way (HTTP/2
    /// has no upgrade) cannot be pinged and counts as not answering.
    /// </summary>
    protected override Task<bool> ProbeTransportAsync(TimeSpan timeout) =>
        _stream is null || Volatile.Read(ref _closeRequested) != 0 ? Task.FromResult(false) : _stream.PingAsync(timeout);

    /// <summary>Runs the connection until the socket closes; cleans up the client on the way out.</summary>
    public async Task RunAsync(CancellationToken requestAborted)
    {
        _connections.Add(this);
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, _abort.Token);
        var writing = WriteLoopAsync(aborted.Token);
        try
        {
            await ReceiveLoopAsync(aborted.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or IOException)
        {
            Log.ConnectionDropped(_logger, Id, ClientId, exception.Message);
        }
        finally
        {
            _connections.Remove(this);
            await _signaling.ConnectionClosedAsync(this, CancellationToken.None).ConfigureAwait(false);
            Close(CloseCodes.Normal, string.Empty);
            await writing.ConfigureAwait(false);
            _abort.Dispose();
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        using var assembly = new PooledBufferWriter();
        while (true)
        {
            // Wait for the next frame with an empty buffer, as ASP.NET Core's SignalR transport
            // does: a connection between messages then holds no receive buffer at all.
            var next = await _socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
            if (next.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
            try
            {
                if (!await ReceiveMessageAsync(next, buffer, assembly, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                assembly.Reset();
            }
        }
    }

    /// <summary>Reads the rest of the message whose first frame has arrived, and handles it.</summary>
    /// <returns>False when the client's close frame arrived instead.</returns>
    private async Task<bool> ReceiveMessageAsync(ValueWebSocketReceiveResult result, byte[] buffer, PooledBufferWriter assembly, CancellationToken cancellationToken)
    {
        var messageBytes = 0;
        var discard = Volatile.Read(ref _closeRequested) != 0;
        while (!result.EndOfMessage)
        {
            result = await _socket.ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return false;
            }

            messageBytes += result.Count;
            if (discard)
            {
                continue;
            }

            if (messageBytes > _maxMessageBytes)
            {
                Log.MessageTooBig(_logger, Id, ClientId, _maxMessageBytes);
                Close(CloseCodes.MessageTooBig, $"Message exceeds {_maxMessageBytes} bytes.");
                discard = true;
                continue;
            }

            if (!result.EndOfMessage || assembly.WrittenCount > 0)
            {
                assembly.Write(buffer.AsSpan(0, result.Count));
            }
        }

        if (discard)
        {
            // Closing: drain until the client answers our close frame.
            return true;
        }

        if (result.MessageType == WebSocketMessageType.Binary)
        {
            _signaling.Reject(this, ClientMessageKind.None, ProtocolErrors.BinaryFrame);
            return true;
        }

        var message = assembly.WrittenCount > 0 ? assembly.WrittenMemory : buffer.AsMemory(0, result.Count);
        await HandleAsync(message, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private ValueTask HandleAsync(ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken)
    {
        if (ClientMessageParser.TryParse(utf8Json.Span, out var message, out var error))
        {
            return _signaling.HandleAsync(this, message, cancellationToken);
        }

        _signaling.Reject(this, message.Kind, error);
        return ValueTask.CompletedTask;
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        using var buffer = new PooledBufferWriter();
        using var json = new Utf8JsonWriter(buffer, ServerMessageWriter.WriterOptions);
        var newest = default(NewestPeerSetFilter);
        try
        {
            using var endOnAbort = _queue.CompleteOn(cancellationToken);
            while (await _queue.WaitToReadAsync().ConfigureAwait(false))
            {
                while (_queue.TryRead(out var message))
                {
                    if (!newest.Admits(message))
                    {
                        continue;
                    }

                    ServerMessageWriter.Write(json, message);
                    await _socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                    json.Reset();
                    buffer.Reset();
                }
            }

            // The queue ended because the connection was aborted, not closed: no close frame follows.
            cancellationToken.ThrowIfCancellationRequested();
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(_closeStatus, _closeReason, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The socket is gone; the receive loop sees the same and cleans up. A socket that has
            // sent a close frame this loop did not write failed the connection itself (invalid
            // UTF-8, a malformed frame), and the receive loop is ending already; aborting the
            // connection could drop that frame before the transport sends it.
            if (_socket.State is not (WebSocketState.CloseSent or WebSocketState.Aborted))
            {
                Abort();
            }
        }
    }

    private void Abort()
    {
        try
        {
            _abort.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The connection already finished.
        }

        _socket.Abort();
    }

    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Debug, "Connection {ConnectionId} ({ClientId}) dropped: {Reason}")]
        public static partial void ConnectionDropped(ILogger logger, long connectionId, string? clientId, string reason);

        [LoggerMessage(11, LogLevel.Warning, "Connection {ConnectionId} ({ClientId}) is not reading its messages; its send queue is full and it is dropped.")]
        public static partial void SendQueueFull(ILogger logger, long connectionId, string? clientId);

        [LoggerMessage(12, LogLevel.Information, "Connection {ConnectionId} ({ClientId}) sent a message over {MaxMessageBytes} bytes and is closed with 1009.")]
        public static partial void MessageTooBig(ILogger logger, long connectionId, string? clientId, int maxMessageBytes);
    }
}
