using System.Net.WebSockets;
using Microsoft.AspNetCore.SignalR;
using ProxChat.Transport.Protocol;
using ProxChat.Transport.Sessions;

namespace ProxChat.Transport.Hubs;

/// <summary>
/// A client on the SignalR hub, as the signaling rules see it: the same session model as a raw
/// WebSocket. Server messages become client callbacks (NearbyPeers, ReceiveOffer, …, Error, IceServers), sent
/// in order by one loop per connection from a bounded queue. SignalR has no close codes: a
/// takeover, timeout or shutdown is announced with an Error, then the connection is aborted once
/// what is queued has gone out. After Disconnect the connection is left for the client to stop,
/// since aborting it would race the Disconnect invocation's own completion.
/// </summary>
public sealed class HubClientConnection : ClientConnection
{
    private readonly ISingleClientProxy _client;
    private readonly ISingleClientProxy _prober;
    private readonly HubCallerContext _context;
    private readonly OutgoingMessages _queue;
    private int _closeRequested;

    /// <summary>
    /// What the server invokes on a client to see that it answers. A client need not handle it:
    /// SignalR clients answer an invocation they have no handler for with an error, and any
    /// answer will do.
    /// </summary>
    public const string ProbeMethod = "ProxChatProbe";

    /// <param name="prober">The client as the hub context reaches it, which can invoke it for a result (the hub's own Caller cannot); null: <paramref name="client"/>.</param>
    public HubClientConnection(
        ISingleClientProxy client,
        HubCallerContext context,
        OutgoingMessages queue,
        long connectedAt,
        ConnectionLimits? limits = null,
        ConnectionIdentity? identity = null,
        ISingleClientProxy? prober = null)
        : base(connectedAt, limits, identity)
    {
        _client = client;
        _prober = prober ?? client;
        _context = context;
        _queue = queue;
        Sending = SendLoopAsync();
    }

    /// <summary>Completes when the queue is drained after <see cref="Close"/>, or the connection is gone.</summary>
    public Task Sending { get; }

    public override void Send(in ServerMessage message)
    {
        // A completed queue belongs to a connection that is closing, left after Disconnect, or
        // gone, not a slow one: the message is dropped and the connection left as it is.
        // Of sends that find the queue full at once, one drops the client, as one close does.
        if (_queue.TryWrite(message) || _queue.IsComplete || Interlocked.Exchange(ref _closeRequested, 1) != 0)
        {
            return;
        }

        // Not reading: drop the client rather than grow without bound.
        _queue.Complete();
        _context.Abort();
    }

    public override bool TrySendRelay(in ServerMessage message) => _queue.TryWriteRelay(message);

    public override void Close(WebSocketCloseStatus status, string reason)
    {
        if (status == CloseCodes.Normal)
        {
            // Left open (see above); a later timeout still closes it.
            _queue.Complete();
            return;
        }

        if (Interlocked.Exchange(ref _closeRequested, 1) != 0)
        {
            return;
        }

        _queue.TryWrite(ServerMessage.Error(reason));
        _queue.Complete();
        _ = Sending.ContinueWith(static (_, context) => ((HubCallerContext)context!).Abort(), _context, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    protected override async Task<bool> ProbeTransportAsync(TimeSpan timeout)
    {
        if (_queue.IsComplete || _context.ConnectionAborted.IsCancellationRequested)
        {
            return false;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_context.ConnectionAborted);
        deadline.CancelAfter(timeout);
        try
        {
            await _prober.InvokeAsync<object?>(ProbeMethod, deadline.Token).ConfigureAwait(false);
            return true;
        }
        catch (HubException)
        {
            // "Client didn't provide a result": an answer all the same.
            return true;
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The SignalR connection ended: stop sending.</summary>
    internal void Disconnected() => _queue.Complete();

    private async Task SendLoopAsync()
    {
        var newest = default(NewestPeerSetFilter);
        try
        {
            using var endOnAbort = _queue.CompleteOn(_context.ConnectionAborted);
            while (await _queue.WaitToReadAsync().ConfigureAwait(false))
            {
                while (_queue.TryRead(out var message))
                {
                    if (!newest.Admits(message))
                    {
                        continue;
                    }

                    await SendAsync(message).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The connection is gone.
        }
    }

    private Task SendAsync(in ServerMessage message)
    {
        var aborted = _context.ConnectionAborted;
        return message.Kind switch
        {
            ServerMessageKind.NearbyPeers => _client.SendAsync("NearbyPeers", message.Peers.PeerIds, aborted),
            ServerMessageKind.ReceiveOffer => _client.SendAsync("ReceiveOffer", new ReceiveOfferData(message.SenderId!, message.Payload), aborted),
            ServerMessageKind.ReceiveAnswer => _client.SendAsync("ReceiveAnswer", new ReceiveAnswerData(message.SenderId!, message.Payload), aborted),
            ServerMessageKind.ReceiveIceCandidate => _client.SendAsync("ReceiveIceCandidate", new ReceiveIceCandidateData(message.SenderId!, message.Payload), aborted),

            // The payload's converter writes the object as it was written once for the request.
            ServerMessageKind.IceServers => _client.SendAsync("IceServers", message.Payload, aborted),
            _ => _client.SendAsync("Error", message.Text, aborted),
        };
    }
}
