using System.Net.WebSockets;
using ProxChat.Client.Protocol;
using ProxChat.Client.Transport;

namespace ProxChat.Client;

/// <summary>
/// A ProxChat signaling client: reports this client's position, hears which clients are near, and
/// relays WebRTC offers, answers and ICE candidates to and from them. It carries signaling only;
/// the peer connections and audio belong to the application's WebRTC stack.
/// </summary>
/// <remarks>
/// <para>
/// Once connected, the client keeps its connection: when the connection is lost it reconnects with
/// backoff under the same id and re-sends the last position, unless the server closed it with a
/// reason that forbids that (<see cref="CloseReason.Replaced"/>, <see cref="CloseReason.Kicked"/>,
/// <see cref="CloseReason.Banned"/>, <see cref="CloseReason.PolicyViolation"/>). While idle it re-sends its
/// position so that the server does not time it out.
/// </para>
/// <para>
/// Events are raised on thread-pool threads, never on the caller's SynchronizationContext (in
/// Unity: not on the main thread), one at a time and in the order the server sent the messages.
/// A handler that touches game objects must hand the work to the main thread (e.g. through a
/// ConcurrentQueue drained in Update). A handler that blocks holds up the events after it, and the
/// socket's answers to the server's pings (a connection that does not answer within the server's
/// TakeoverProbeSeconds may lose its id to a newer one); a handler that throws is reported through
/// <see cref="Error"/> and the client carries on.
/// </para>
/// <para>All methods may be called from any thread, at the same time.</para>
/// </remarks>
public sealed class ProxChatClient : IAsyncDisposable, IDisposable
{
    private static readonly IReadOnlyList<string> NoPeers = Array.Empty<string>();

    private readonly ProxChatClientOptions _options;
    private readonly PositionPump _positions;
    private readonly Random _jitter = new();
    private readonly object _gate = new();
    private ProxChatConnectionState _state = ProxChatConnectionState.Disconnected;
    private ServerConnection? _connection;
    private CancellationTokenSource? _run;
    private Task _supervisor = Task.CompletedTask;
    private bool _stopRequested;
    private bool _disposed;
    private IReadOnlyList<string> _nearbyPeers = NoPeers;

    /// <summary>Creates a client for <paramref name="clientId"/> on the server at <paramref name="serverUri"/>, with default options.</summary>
    public ProxChatClient(Uri serverUri, string clientId)
        : this(new ProxChatClientOptions(serverUri, clientId))
    {
    }

    /// <summary>Creates a client with the given options. It does not connect until <see cref="ConnectAsync"/>.</summary>
    public ProxChatClient(ProxChatClientOptions options)
    {
        Guard.NotNull(options, nameof(options));
        options.Validate(nameof(options));
        _options = options;
        _positions = new PositionPump(options.ClientId, options.MinPositionInterval, options.KeepAliveInterval);
    }

    /// <summary>A connection opened (the first, or a reconnect). The last position, if any, has been sent on it.</summary>
    public event EventHandler<ConnectedEventArgs>? Connected;

    /// <summary>A connection ended. <see cref="DisconnectedEventArgs.WillReconnect"/> says whether the client reconnects by itself.</summary>
    public event EventHandler<DisconnectedEventArgs>? Disconnected;

    /// <summary>The client stopped for good (after <see cref="Disconnected"/>, or after its reconnect attempts ran out).</summary>
    public event EventHandler<ClosedEventArgs>? Closed;

    /// <summary><c>NearbyPeers</c>: the complete set of nearby clients. Sent whenever it changes, and periodically.</summary>
    public event EventHandler<NearbyPeersEventArgs>? NearbyPeersReceived;

    /// <summary><c>ReceiveOffer</c>: a peer sent a WebRTC offer.</summary>
    public event EventHandler<OfferReceivedEventArgs>? OfferReceived;

    /// <summary><c>ReceiveAnswer</c>: a peer answered this client's offer.</summary>
    public event EventHandler<AnswerReceivedEventArgs>? AnswerReceived;

    /// <summary><c>ReceiveIceCandidate</c>: a peer sent an ICE candidate.</summary>
    public event EventHandler<IceCandidateReceivedEventArgs>? IceCandidateReceived;

    /// <summary><c>IceServers</c>: STUN/TURN servers and credentials, asked for or pushed before the last ones expire.</summary>
    public event EventHandler<IceServersEventArgs>? IceServersReceived;

    /// <summary>The server's <c>Error</c> message, bad input from the server, a failed reconnect attempt or a failing handler; see <see cref="ProxChatErrorEventArgs.Kind"/>.</summary>
    public event EventHandler<ProxChatErrorEventArgs>? Error;

    /// <summary>The id this client registers under.</summary>
    public string ClientId => _options.ClientId;

    /// <summary>Where the client is in its life.</summary>
    public ProxChatConnectionState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>The nearby set last received (empty before the first, and once the client has closed).</summary>
    public IReadOnlyList<string> NearbyPeers => Volatile.Read(ref _nearbyPeers);

    /// <summary>
    /// Opens the connection and sends the position set so far, if any. Returns once connected;
    /// from then on the client reconnects by itself. May be called again after <see cref="ProxChatConnectionState.Closed"/>.
    /// </summary>
    /// <exception cref="ProxChatConnectException">The connection could not be opened. Nothing is retried; the state is back to Disconnected.</exception>
    /// <exception cref="InvalidOperationException">The client is already connecting or connected.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        CancellationTokenSource run;
        lock (_gate)
        {
            ThrowIfDisposed();
            if (_state is not (ProxChatConnectionState.Disconnected or ProxChatConnectionState.Closed))
            {
                throw new InvalidOperationException($"The client is {_state}; ConnectAsync is for a client that is not connected.");
            }

            _state = ProxChatConnectionState.Connecting;
            _stopRequested = false;
            run = _run = new CancellationTokenSource();
        }

        ServerConnection connection;
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, run.Token);
            connection = await OpenAsync(linked.Token).ConfigureAwait(false);
        }
        catch
        {
            lock (_gate)
            {
                _state = _stopRequested ? ProxChatConnectionState.Closed : ProxChatConnectionState.Disconnected;
            }

            throw;
        }

        lock (_gate)
        {
            if (_stopRequested)
            {
                connection.Abort();
                connection.Dispose();
                _state = ProxChatConnectionState.Closed;
                throw new OperationCanceledException("The client was disconnected while it connected.");
            }

            _connection = connection;
            _state = ProxChatConnectionState.Connected;
            _supervisor = Task.Run(() => SuperviseAsync(connection, run.Token), CancellationToken.None);
        }
    }

    /// <summary>
    /// Sets this client's position. Never blocks and works in every state: the client sends it at
    /// once, or, if it sent one less than <see cref="ProxChatClientOptions.MinPositionInterval"/> ago,
    /// when that interval has passed (then only the newest position goes). The first position
    /// registers the client; it is re-sent on every reconnect and as the keep-alive.
    /// </summary>
    /// <param name="mapId">The map (or zone, level) the client is on; only clients on the same map are near each other.</param>
    /// <param name="x">Horizontal position, in the game's integer units.</param>
    /// <param name="y">Vertical position, in the game's integer units.</param>
    /// <param name="channel">A separate proximity space on the same map (0 by default).</param>
    /// <param name="gameId">A separate game (or shard) sharing the server (0 by default).</param>
    public void UpdatePosition(int mapId, int x, int y, int channel = 0, int gameId = 0) =>
        _positions.Set(new PositionUpdate(mapId, x, y, channel, gameId));

    /// <summary>Sends a WebRTC offer to <paramref name="targetId"/>; the server relays it as <c>ReceiveOffer</c>, or answers with an <see cref="Error"/> if the target is not there.</summary>
    /// <exception cref="InvalidOperationException">No connection is open.</exception>
    /// <exception cref="WebSocketException">The connection broke during the send (the client reconnects by itself).</exception>
    public Task SendOfferAsync(string targetId, string offer, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(targetId, nameof(targetId));
        Guard.NotNull(offer, nameof(offer));
        return SendAsync(OutgoingMessages.SendOffer(targetId, offer), cancellationToken);
    }

    /// <summary>Sends a WebRTC answer to <paramref name="targetId"/>. Exceptions as <see cref="SendOfferAsync"/>.</summary>
    public Task SendAnswerAsync(string targetId, string answer, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(targetId, nameof(targetId));
        Guard.NotNull(answer, nameof(answer));
        return SendAsync(OutgoingMessages.SendAnswer(targetId, answer), cancellationToken);
    }

    /// <summary>Sends an ICE candidate to <paramref name="targetId"/> (dropped silently by the server if the target is not there). Exceptions as <see cref="SendOfferAsync"/>.</summary>
    public Task SendIceCandidateAsync(string targetId, string candidate, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(targetId, nameof(targetId));
        Guard.NotNull(candidate, nameof(candidate));
        return SendAsync(OutgoingMessages.SendIceCandidate(targetId, candidate), cancellationToken);
    }

    /// <summary>Asks the server for the current nearby set at once (<see cref="NearbyPeersReceived"/> follows). Exceptions as <see cref="SendOfferAsync"/>.</summary>
    public Task RequestPeerRefreshAsync(CancellationToken cancellationToken = default) =>
        SendAsync(OutgoingMessages.RequestPeerRefresh(), cancellationToken);

    /// <summary>Asks for STUN/TURN servers (<see cref="IceServersReceived"/> follows, and again before the credentials expire). Exceptions as <see cref="SendOfferAsync"/>.</summary>
    public Task RequestIceServersAsync(CancellationToken cancellationToken = default) =>
        SendAsync(OutgoingMessages.RequestIceServers(), cancellationToken);

    /// <summary>Blocks <paramref name="peerId"/>: never linked, no relays either way, for this client id (it survives reconnects). Exceptions as <see cref="SendOfferAsync"/>.</summary>
    public Task BlockPeerAsync(string peerId, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(peerId, nameof(peerId));
        return SendAsync(OutgoingMessages.BlockPeer(peerId), cancellationToken);
    }

    /// <summary>Lifts a block set with <see cref="BlockPeerAsync"/>. Exceptions as <see cref="SendOfferAsync"/>.</summary>
    public Task UnblockPeerAsync(string peerId, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(peerId, nameof(peerId));
        return SendAsync(OutgoingMessages.UnblockPeer(peerId), cancellationToken);
    }

    /// <summary>
    /// Leaves: sends <c>Disconnect</c> (peers hear at once that this client is gone), waits for the
    /// server to close the socket (at most <see cref="ProxChatClientOptions.CloseTimeout"/>), and stops
    /// reconnecting. <see cref="Disconnected"/> and <see cref="Closed"/> follow with <see cref="CloseReason.ClientClosed"/>.
    /// </summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken = default)
    {
        ServerConnection? connection;
        Task supervisor;
        CancellationTokenSource? run;
        lock (_gate)
        {
            if (_state is ProxChatConnectionState.Disconnected or ProxChatConnectionState.Closed)
            {
                return;
            }

            _stopRequested = true;
            connection = _connection;
            supervisor = _supervisor;
            run = _run;
        }

        // Ends a reconnect wait or attempt, and the keep-alive.
        run?.Cancel();
        if (connection is not null)
        {
            try
            {
                await connection.SendAsync(OutgoingMessages.Disconnect(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is WebSocketException or InvalidOperationException or ObjectDisposedException or IOException)
            {
                // The connection is already going; the abort below makes sure.
            }

            // The server answers Disconnect by closing the socket, which ends the supervisor.
            using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var closedInTime = await Task.WhenAny(supervisor, Task.Delay(_options.CloseTimeout, stopWaiting.Token)).ConfigureAwait(false) == supervisor;
            stopWaiting.Cancel();
            if (!closedInTime)
            {
                connection.Abort();
            }
        }

        await supervisor.ConfigureAwait(false);
    }

    /// <summary>Disconnects as <see cref="DisconnectAsync"/> does, then releases the client. It cannot connect again.</summary>
    public async ValueTask DisposeAsync()
    {
        await DisconnectAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _disposed = true;
            _run?.Dispose();
            _run = null;
        }
    }

    /// <summary>
    /// Stops the client without waiting: aborts the connection (no <c>Disconnect</c> is sent; the
    /// server notices the socket closing) and stops reconnecting. Prefer <see cref="DisposeAsync"/>.
    /// </summary>
    public void Dispose()
    {
        ServerConnection? connection;
        CancellationTokenSource? run;
        lock (_gate)
        {
            _disposed = true;
            _stopRequested = true;
            connection = _connection;
            run = _run;
        }

        run?.Cancel();
        connection?.Abort();
    }

    private async Task SendAsync(byte[] message, CancellationToken cancellationToken)
    {
        ServerConnection? connection;
        lock (_gate)
        {
            connection = _connection;
        }

        if (connection is null || !connection.IsOpen)
        {
            throw new InvalidOperationException($"The client is not connected (state {State}).");
        }

        await connection.SendAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a connection and registers on it with the last position; every failure but the caller's cancellation becomes a <see cref="ProxChatConnectException"/>.</summary>
    private async Task<ServerConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await WebSocketConnector.ConnectAsync(_options, cancellationToken).ConfigureAwait(false);
        try
        {
            await _positions.SendLatestAsync(connection, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception exception) when (exception is WebSocketException or IOException && !cancellationToken.IsCancellationRequested)
        {
            connection.Dispose();
            throw new ProxChatConnectException(CloseReason.ConnectionLost, null, "The connection broke as it opened.", exception);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Runs connection after connection until the client stops: raises the connection events and reconnects when the close reason allows.</summary>
    private async Task SuperviseAsync(ServerConnection connection, CancellationToken run)
    {
        var isReconnect = false;
        while (true)
        {
            Raise(Connected, new ConnectedEventArgs(isReconnect));
            var end = await RunConnectionAsync(connection, run).ConfigureAwait(false);
            bool stopRequested;
            lock (_gate)
            {
                _connection = null;
                stopRequested = _stopRequested;
            }

            connection.Dispose();
            if (stopRequested)
            {
                end = end.AsClientClosed();
            }

            var reconnect = !stopRequested && _options.Reconnect.Enabled
                && CloseReasons.AllowsReconnect(end.Reason, _options.AccessTokenProvider is not null);
            Raise(Disconnected, new DisconnectedEventArgs(end, reconnect));
            if (!reconnect)
            {
                Finish(end);
                return;
            }

            SetState(ProxChatConnectionState.Reconnecting);
            var next = await ReconnectAsync(run).ConfigureAwait(false);
            if (next is null)
            {
                return;
            }

            connection = next;
            isReconnect = true;
        }
    }

    /// <summary>Receives on one connection while the keep-alive runs beside it, until the connection ends.</summary>
    private async Task<ConnectionEnd> RunConnectionAsync(ServerConnection connection, CancellationToken run)
    {
        using var stopPump = CancellationTokenSource.CreateLinkedTokenSource(run);
        var pump = _positions.RunAsync(connection, stopPump.Token);
        var end = await connection.ReceiveAsync(OnMessage, OnDropped).ConfigureAwait(false);
        stopPump.Cancel();
        await pump.ConfigureAwait(false);
        return end;
    }

    /// <returns>The new connection, or null when the client stopped (and <see cref="Closed"/> was raised).</returns>
    private async Task<ServerConnection?> ReconnectAsync(CancellationToken run)
    {
        var policy = _options.Reconnect;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Task.Delay(policy.DelayBefore(attempt, _jitter.NextDouble()), run).ConfigureAwait(false);
                var connection = await OpenAsync(run).ConfigureAwait(false);
                lock (_gate)
                {
                    if (!_stopRequested)
                    {
                        _connection = connection;
                        _state = ProxChatConnectionState.Connected;
                        return connection;
                    }
                }

                connection.Abort();
                connection.Dispose();
                Finish(ConnectionEnd.Lost(null).AsClientClosed());
                return null;
            }
            catch (OperationCanceledException) when (run.IsCancellationRequested)
            {
                Finish(ConnectionEnd.Lost(null).AsClientClosed());
                return null;
            }
            catch (ProxChatConnectException exception)
            {
                Raise(Error, new ProxChatErrorEventArgs(ProxChatErrorKind.ConnectFailed, exception.Message, exception: exception));
                var givesUp = (policy.MaxAttempts > 0 && attempt >= policy.MaxAttempts)
                    || !CloseReasons.AllowsReconnect(exception.Reason, _options.AccessTokenProvider is not null);
                if (givesUp)
                {
                    Finish(ConnectionEnd.Failed(exception));
                    return null;
                }
            }
        }
    }

    private void Finish(ConnectionEnd end)
    {
        Volatile.Write(ref _nearbyPeers, NoPeers);
        SetState(ProxChatConnectionState.Closed);
        Raise(Closed, new ClosedEventArgs(end.Reason, end.CloseCode, end.Description, end.Exception));
    }

    private void OnMessage(ReadOnlyMemory<byte> utf8Json)
    {
        switch (IncomingMessageParser.Parse(utf8Json))
        {
            case NearbyPeersEventArgs peers:
                Volatile.Write(ref _nearbyPeers, peers.PeerIds);
                Raise(NearbyPeersReceived, peers);
                break;
            case OfferReceivedEventArgs offer:
                Raise(OfferReceived, offer);
                break;
            case AnswerReceivedEventArgs answer:
                Raise(AnswerReceived, answer);
                break;
            case IceCandidateReceivedEventArgs candidate:
                Raise(IceCandidateReceived, candidate);
                break;
            case IceServersEventArgs iceServers:
                Raise(IceServersReceived, iceServers);
                break;
            case ProxChatErrorEventArgs error:
                Raise(Error, error);
                break;
        }
    }

    private void OnDropped(AssemblyOutcome outcome) => Raise(Error, outcome == AssemblyOutcome.TooLarge
        ? new ProxChatErrorEventArgs(ProxChatErrorKind.MessageTooLarge, $"A message from the server exceeded {_options.MaxReceiveMessageBytes} bytes; dropped.")
        : new ProxChatErrorEventArgs(ProxChatErrorKind.InvalidMessage, "A binary message from the server; the protocol uses text only. Dropped."));

    private void Raise<TArgs>(EventHandler<TArgs>? handler, TArgs args)
        where TArgs : EventArgs
    {
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this, args);
        }
        catch (Exception exception) when (typeof(TArgs) != typeof(ProxChatErrorEventArgs))
        {
            // The application's bug must not stop the client hearing the server.
            Raise(Error, new ProxChatErrorEventArgs(ProxChatErrorKind.HandlerFailed, $"A {typeof(TArgs).Name} handler threw: {exception.Message}", exception: exception));
        }
        catch (Exception)
        {
            // An Error handler that throws has nowhere left to report to.
        }
    }

    private void SetState(ProxChatConnectionState state)
    {
        lock (_gate)
        {
            _state = state;
        }
    }

    private void ThrowIfDisposed() => Guard.NotDisposed(_disposed, this);
}
