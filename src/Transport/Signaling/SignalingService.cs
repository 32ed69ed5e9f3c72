using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProxChat.Proximity;
using ProxChat.Transport.Diagnostics;
using ProxChat.Transport.Ice;
using ProxChat.Transport.Presence;
using ProxChat.Transport.Protocol;
using ProxChat.Transport.Sessions;

namespace ProxChat.Transport.Signaling;

/// <summary>
/// The protocol's rules, for connections of any transport and for one node or many: registration
/// and identity, takeover, proximity updates and their notifications, relays under the relay
/// policy, and cleanup. Where clients stand lives in the <see cref="IPresenceStore"/>.
/// </summary>
public sealed partial class SignalingService
{
    private static readonly TimeSpan MovesInFlightWait = TimeSpan.FromSeconds(1);

    private readonly IPresenceStore _presence;
    private readonly ClientRegistry _registry;
    private readonly IMessageDelivery _delivery;
    private readonly TakeoverArbiter _takeovers;
    private readonly IceServerIssuer _iceServers;
    private readonly TimeProvider _time;
    private readonly ProxChatMetrics _metrics;
    private readonly ILogger<SignalingService> _logger;
    private readonly long _reintroductionTicks;
    private readonly string _tooManyMessages;
    private readonly string _tooManyRelayBytes;
    private readonly TimeSpan _placementInterval;
    private readonly long _iceRefreshTicks;

    public SignalingService(
        IPresenceStore presence,
        ClientRegistry registry,
        IMessageDelivery delivery,
        TakeoverArbiter takeovers,
        IceServerIssuer iceServers,
        IOptions<ProxChatOptions> options,
        TimeProvider time,
        ProxChatMetrics metrics,
        ILogger<SignalingService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _presence = presence;
        _registry = registry;
        _delivery = delivery;
        _takeovers = takeovers;
        _iceServers = iceServers;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _reintroductionTicks = options.Value.ReintroductionIntervalSeconds * time.TimestampFrequency;
        _tooManyMessages = ProtocolErrors.TooManyMessages(options.Value.MessageRateLimit);
        _tooManyRelayBytes = ProtocolErrors.RelayBytesExceeded(options.Value.RelayBytesPerSecond);
        _iceRefreshTicks = (long)(iceServers.RefreshAfter.TotalSeconds * time.TimestampFrequency);
        _placementInterval = options.Value.PositionRateLimit > 0 ? TimeSpan.FromSeconds(1.0 / options.Value.PositionRateLimit) : TimeSpan.Zero;
    }

    /// <summary>
    /// Whether the connection may have a message acted on: each takes a token of its rate limit.
    /// If none is left, the message is dropped, and the first of a run of drops is answered.
    /// </summary>
    private bool Admit(ClientConnection connection)
    {
        var admission = connection.Limits.Messages?.Admit() ?? MessageAdmission.Admitted;
        if (admission == MessageAdmission.Admitted)
        {
            return true;
        }

        _metrics.MessageThrottled();
        if (admission == MessageAdmission.Dropped)
        {
            Log.Throttled(_logger, connection.Id, connection.ClientId);
            connection.Send(ServerMessage.Error(_tooManyMessages));
        }

        return false;
    }

    public async ValueTask HandleAsync(ClientConnection connection, ClientMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!connection.IsRegistered && message.Kind != ClientMessageKind.UpdatePosition)
        {
            Reject(connection, message.Kind, ProtocolErrors.NotRegistered);
            return;
        }

        // Moves are not counted: a client may send them at any rate and its relays never starve
        // behind them; they are paced instead (PositionRateLimit). What is only answered with an
        // Error (malformed, or before registration) is not counted either: it reaches neither
        // Redis nor another client, and the protocol answers every one.
        if (message.Kind != ClientMessageKind.UpdatePosition && !Admit(connection))
        {
            return;
        }

        _metrics.MessageReceived(message.Kind);

        try
        {
            switch (message.Kind)
            {
                case ClientMessageKind.UpdatePosition:
                    await UpdatePositionAsync(connection, message.ClientId!, message.Location, cancellationToken).ConfigureAwait(false);
                    break;
                case ClientMessageKind.SendOffer or ClientMessageKind.SendAnswer or ClientMessageKind.SendIceCandidate:
                    await RelayAsync(connection, message, cancellationToken).ConfigureAwait(false);
                    break;
                case ClientMessageKind.RequestPeerRefresh:
                    // Answers with the set after every move the client sent before asking.
                    await connection.Positions.SettledAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
                    connection.Send(ServerMessage.NearbyPeers(await _presence.SnapshotAsync(connection, cancellationToken).ConfigureAwait(false)));
                    break;
                case ClientMessageKind.Disconnect:
                    await DisconnectAsync(connection, cancellationToken).ConfigureAwait(false);
                    break;
                case ClientMessageKind.RequestIceServers:
                    SendIceServers(connection, _time.GetTimestamp());
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(message), message.Kind, "Unknown client message kind.");
            }
        }
        catch (PresenceUnavailableException exception)
        {
            ReportStoreUnavailable(connection, message.Kind, exception);
        }
    }

    /// <summary>
    /// Answers a message that failed validation, while the connection's budget of invalid
    /// messages lasts; past it the connection is closed with 1008 instead, before its unread
    /// Errors could fill its queue and drop it without a close frame.
    /// </summary>
    /// <param name="kind">The message's type, if the envelope named a known one.</param>
    public void Reject(ClientConnection connection, ClientMessageKind kind, string error)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _metrics.MessageRejected(kind);
        var admission = connection.Limits.InvalidMessages?.Admit() ?? MessageAdmission.Admitted;
        if (admission != MessageAdmission.Admitted)
        {
            if (admission == MessageAdmission.Dropped)
            {
                Log.ClosedForInvalidMessages(_logger, connection.Id, connection.ClientId);
                _metrics.ClosedForPolicy();
                connection.Close(CloseCodes.PolicyViolation, ProtocolErrors.TooManyInvalidMessages);
            }

            return;
        }

        var registrationFirst = !connection.IsRegistered && kind is not (ClientMessageKind.None or ClientMessageKind.UpdatePosition);
        connection.Send(ServerMessage.Error(registrationFirst ? ProtocolErrors.NotRegistered : error));
    }

    /// <summary>
    /// Removes the connection's client, if the connection still owns it, and tells its peers.
    /// Safe to call more than once and for connections that never registered.
    /// </summary>
    public async ValueTask ConnectionClosedAsync(ClientConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!connection.IsRegistered)
        {
            return;
        }

        // A move still on its way would otherwise land after the removal.
        await connection.Positions.SettledAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var changes = await _presence.RemoveAsync(connection, cancellationToken).ConfigureAwait(false);
            if (changes.Count > 0)
            {
                Log.ClientRemoved(_logger, connection.ClientId, connection.Id, changes.Count);
            }

            await NotifyAsync(changes, cancellationToken).ConfigureAwait(false);
        }
        catch (PresenceUnavailableException exception)
        {
            // The shared store reconciles this node's clients when it is reachable again.
            Log.StoreUnavailable(_logger, ClientMessageKind.Disconnect, connection.Id, exception);
        }
    }

    /// <summary>Re-sends the client its current set, so one that missed an update heals.</summary>
    public async ValueTask ReintroduceAsync(ClientConnection connection, long now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.IsRegistered && _registry.IsOwner(connection.ClientId, connection))
        {
            connection.ScheduleReintroduction(now + _reintroductionTicks);
            try
            {
                await WaitForMovesInFlightAsync(connection, cancellationToken).ConfigureAwait(false);
                connection.Send(ServerMessage.NearbyPeers(await _presence.SnapshotAsync(connection, cancellationToken).ConfigureAwait(false)));
            }
            catch (PresenceUnavailableException exception)
            {
                Log.StoreUnavailable(_logger, ClientMessageKind.RequestPeerRefresh, connection.Id, exception);
            }
        }
    }

    /// <summary>
    /// Sends the client its ICE servers, with TURN credentials made for its registered id, and,
    /// when they expire, schedules fresh ones for before they do: a call outlives its credentials.
    /// </summary>
    public void SendIceServers(ClientConnection connection, long now)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (_iceServers.IssuesTurn)
        {
            connection.ScheduleIceRefresh(now + _iceRefreshTicks);
        }

        connection.Send(ServerMessage.IceServers(_iceServers.IssueUtf8(connection.ClientId!)));
    }

    /// <summary>
    /// Waits until the client's moves in flight have told the other sides of the links they
    /// changed: a snapshot read before that could show this client a new link first, and its offer
    /// would then reach a peer whose view does not hold the link yet. Bounded, so a client that
    /// never stops moving cannot hold back its reintroduction, or the sweep that waits for it.
    /// </summary>
    private async Task WaitForMovesInFlightAsync(ClientConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await connection.Positions.SettledAsync().WaitAsync(MovesInFlightWait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Still moving: send the set anyway, as before the wait existed.
        }
    }

    private async ValueTask UpdatePositionAsync(ClientConnection connection, string clientId, Location location, CancellationToken cancellationToken)
    {
        if (connection.Identity is { } identity && !IsAllowedBy(identity, connection, clientId, location))
        {
            return;
        }

        var isFirst = !connection.IsRegistered;
        if (isFirst)
        {
            if (!await _takeovers.MayRegisterAsync(connection, clientId, cancellationToken).ConfigureAwait(false))
            {
                Reject(connection, ClientMessageKind.UpdatePosition, ProtocolErrors.ClientIdInUse(clientId));
                return;
            }

            var (member, replaced) = _registry.Register(clientId, connection);
            connection.Register(clientId, member, _time.GetTimestamp(), _reintroductionTicks);
            if (replaced is not null)
            {
                Log.ClientTakenOver(_logger, clientId, replaced.Id, connection.Id);
                CloseReplaced(replaced);
            }
        }
        else if (!string.Equals(connection.ClientId, clientId, StringComparison.Ordinal))
        {
            connection.Send(ServerMessage.Error(ProtocolErrors.ClientIdChanged(connection.ClientId!)));
            return;
        }
        else if (!_registry.IsOwner(clientId, connection))
        {
            // Taken over by a newer connection and closing: the new owner speaks for the client.
            return;
        }

        // Before the store, so a client whose updates fail while Redis is away is not timed out.
        connection.TouchPosition(_time.GetTimestamp());
        if (isFirst)
        {
            // Registration completes before the connection's next message is read.
            await PlaceAsync(connection, location, isFirst: true, cancellationToken).ConfigureAwait(false);
        }
        else if (connection.Positions.Offer(location))
        {
            _ = DrainPositionsAsync(connection, cancellationToken);
        }
    }

    /// <summary>
    /// An authenticated connection registers only its token's subject, and only in the game its
    /// token names, if it names one.
    /// </summary>
    private bool IsAllowedBy(ConnectionIdentity identity, ClientConnection connection, string clientId, Location location)
    {
        if (!string.Equals(identity.Subject, clientId, StringComparison.Ordinal))
        {
            Reject(connection, ClientMessageKind.UpdatePosition, ProtocolErrors.ClientIdNotSubject(identity.Subject));
            return false;
        }

        if (identity.GameId is { } gameId && location.Partition.GameId != gameId)
        {
            Reject(connection, ClientMessageKind.UpdatePosition, ProtocolErrors.GameIdPinned(gameId));
            return false;
        }

        return true;
    }

    /// <summary>Closes this node's connection whose client a newer one here took.</summary>
    private void CloseReplaced(ClientConnection replaced)
    {
        _metrics.Takeover(TakeoverArbiter.Replaced);
        replaced.Close(CloseCodes.Replaced, CloseCodes.ReplacedReason);
    }

    private async Task DrainPositionsAsync(ClientConnection connection, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Waits before taking a move that came too soon, so the one placed is the newest when
            // its turn comes. Not when none is waiting: the drain then ends at once.
            var early = _placementInterval - _time.GetElapsedTime(connection.Positions.LastPlacedAt);
            if (early > TimeSpan.Zero && connection.Positions.HasPending)
            {
                await Task.Delay(early, _time, CancellationToken.None).ConfigureAwait(false);
            }

            if (!connection.Positions.TryTake(out var location))
            {
                return;
            }

            try
            {
                await PlaceAsync(connection, location, isFirst: false, cancellationToken).ConfigureAwait(false);
            }
            catch (PresenceUnavailableException exception)
            {
                ReportStoreUnavailable(connection, ClientMessageKind.UpdatePosition, exception);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The connection is going; settle the pump so its removal does not wait.
            }
#pragma warning disable CA1031 // The drain runs detached: whatever fails, the pump must settle and the node carry on.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Log.PlacementFailed(_logger, connection.Id, exception);
            }
        }
    }

    private async ValueTask PlaceAsync(ClientConnection connection, Location location, bool isFirst, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        connection.Positions.LastPlacedAt = started;
        var placement = await _presence.PlaceAsync(connection, location, isFirst, cancellationToken).ConfigureAwait(false);
        _metrics.Placed(_time.GetElapsedTime(started));
        if (placement.Error is not null)
        {
            connection.Send(ServerMessage.Error(placement.Error));
        }

        if (placement.Changes is not { } changes)
        {
            return;
        }

        await NotifyAsync(changes, cancellationToken).ConfigureAwait(false);
        if (placement.Claimed && !Contains(changes, connection.ClientId!))
        {
            connection.Send(ServerMessage.NearbyPeers(await _presence.SnapshotAsync(connection, cancellationToken).ConfigureAwait(false)));
        }
    }

    private async ValueTask RelayAsync(ClientConnection connection, ClientMessage message, CancellationToken cancellationToken)
    {
        if (!AdmitRelayBytes(connection, message))
        {
            return;
        }

        var senderId = connection.ClientId!;
        var targetId = message.TargetId!;
        string? refusal;
        try
        {
            refusal = string.Equals(targetId, senderId, StringComparison.Ordinal)
                ? ProtocolErrors.TargetIsSelf(message.Kind.ToString())
                : await _presence.CheckRelayAsync(connection, targetId, cancellationToken).ConfigureAwait(false) switch
                {
                    RelayCheck.NotFound => ProtocolErrors.TargetNotFound(targetId),
                    RelayCheck.NotNearby => ProtocolErrors.TargetNotNearby(targetId),
                    var allowed => await _delivery.DeliverAsync(targetId, ServerMessage.RelayOf(message.Kind, senderId, message.Payload, allowed == RelayCheck.AllowedOnLink), cancellationToken).ConfigureAwait(false) switch
                    {
                        Delivery.Delivered => null,
                        Delivery.TargetBusy => ProtocolErrors.TargetBusy(targetId),
                        _ => ProtocolErrors.TargetNotFound(targetId),
                    },
                };
        }
        catch (PresenceUnavailableException)
        {
            _metrics.Relayed(RelayOutcome.Unavailable);
            throw;
        }

        _metrics.Relayed(refusal is null ? RelayOutcome.Delivered : RelayOutcome.Refused);

        // ICE candidates come in bursts and are harmless to lose: no error for each.
        if (refusal is not null && message.Kind != ClientMessageKind.SendIceCandidate)
        {
            connection.Send(ServerMessage.Error(refusal));
        }
    }

    /// <summary>
    /// Takes the relay's payload from the sender's byte budget. Over it, the relay is refused, and
    /// the first refusal of a run is answered (candidates too: a sender of huge candidates is
    /// told why they vanish).
    /// </summary>
    private bool AdmitRelayBytes(ClientConnection connection, in ClientMessage message)
    {
        if (connection.Limits.RelayBytes is not { } budget)
        {
            return true;
        }

        var bytes = message.Payload.Utf8Literal.Length;
        var admission = budget.Admit(bytes);
        if (admission == MessageAdmission.Admitted)
        {
            return true;
        }

        _metrics.RelayBytesThrottled(bytes);
        if (admission == MessageAdmission.Dropped)
        {
            Log.RelayBytesThrottled(_logger, connection.Id, connection.ClientId);
            connection.Send(ServerMessage.Error(_tooManyRelayBytes));
        }

        return false;
    }

    private async ValueTask DisconnectAsync(ClientConnection connection, CancellationToken cancellationToken)
    {
        await ConnectionClosedAsync(connection, cancellationToken).ConfigureAwait(false);
        connection.Close(CloseCodes.Normal, "Client disconnected.");
    }

    /// <summary>
    /// Sends each changed client its new set, wherever it is connected, one after another in the
    /// store's order: the Redis store lists clients on other nodes first (see its RecordAndOrder).
    /// </summary>
    public async ValueTask NotifyAsync(IReadOnlyList<PeerChange> changes, CancellationToken cancellationToken)
    {
        for (var i = 0; i < changes.Count; i++)
        {
            await _delivery.DeliverAsync(changes[i].ClientId, ServerMessage.NearbyPeers(changes[i].Snapshot), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Tells the client its message was not applied, or that Redis answered too late to know;
    /// ICE candidates are dropped silently, as to unknown targets.
    /// </summary>
    private void ReportStoreUnavailable(ClientConnection connection, ClientMessageKind kind, PresenceUnavailableException exception)
    {
        Log.StoreUnavailable(_logger, kind, connection.Id, exception);
        _metrics.StoreUnavailable();
        if (kind != ClientMessageKind.SendIceCandidate)
        {
            connection.Send(ServerMessage.Error(exception.MayHaveBeenApplied ? ProtocolErrors.StoreTooSlow : ProtocolErrors.StoreUnavailable));
        }
    }

    private static bool Contains(IReadOnlyList<PeerChange> changes, string clientId)
    {
        for (var i = 0; i < changes.Count; i++)
        {
            if (string.Equals(changes[i].ClientId, clientId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Client {ClientId} taken over from connection {OldConnectionId} by connection {NewConnectionId}.")]
        public static partial void ClientTakenOver(ILogger logger, string clientId, long oldConnectionId, long newConnectionId);

        [LoggerMessage(2, LogLevel.Debug, "Client {ClientId} on connection {ConnectionId} removed; {PeerCount} peer sets changed.")]
        public static partial void ClientRemoved(ILogger logger, string clientId, long connectionId, int peerCount);

        [LoggerMessage(5, LogLevel.Debug, "Connection {ConnectionId} ({ClientId}) sends faster than MessageRateLimit allows; its messages are dropped until it slows down.")]
        public static partial void Throttled(ILogger logger, long connectionId, string? clientId);

        [LoggerMessage(6, LogLevel.Debug, "Connection {ConnectionId} ({ClientId}) relays more bytes than RelayBytesPerSecond allows; its relays are refused until it slows down.")]
        public static partial void RelayBytesThrottled(ILogger logger, long connectionId, string? clientId);

        [LoggerMessage(7, LogLevel.Information, "Connection {ConnectionId} ({ClientId}) kept sending invalid messages and is closed with 1008.")]
        public static partial void ClosedForInvalidMessages(ILogger logger, long connectionId, string? clientId);

        [LoggerMessage(4, LogLevel.Error, "Placing connection {ConnectionId}'s client failed.")]
        public static partial void PlacementFailed(ILogger logger, long connectionId, Exception exception);

        [LoggerMessage(3, LogLevel.Debug, "{Kind} from connection {ConnectionId} not applied, or not known to be: the presence store is unreachable or did not answer in time.")]
        public static partial void StoreUnavailable(ILogger logger, ClientMessageKind kind, long connectionId, Exception exception);
    }
}
