using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProxChat.Proximity;
using ProxChat.Transport.Protocol;
using ProxChat.Transport.Sessions;

namespace ProxChat.Transport.Signaling;

/// <summary>
/// The protocol's rules, for connections of any transport: registration and identity, takeover,
/// proximity updates and their notifications, relays under the relay policy, and cleanup.
/// </summary>
public sealed partial class SignalingService
{
    private readonly ProximityWorld _world;
    private readonly ClientRegistry _registry;
    private readonly IMessageDelivery _delivery;
    private readonly TimeProvider _time;
    private readonly ILogger<SignalingService> _logger;
    private readonly RelayPolicy _relayPolicy;
    private readonly long _reintroductionTicks;

    public SignalingService(
        ProximityWorld world,
        ClientRegistry registry,
        IMessageDelivery delivery,
        IOptions<ProxChatOptions> options,
        TimeProvider time,
        ILogger<SignalingService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _world = world;
        _registry = registry;
        _delivery = delivery;
        _time = time;
        _logger = logger;
        _relayPolicy = options.Value.RelayPolicy;
        _reintroductionTicks = options.Value.ReintroductionIntervalSeconds * time.TimestampFrequency;
    }

    public ValueTask HandleAsync(ClientConnection connection, ClientMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!connection.IsRegistered && message.Kind != ClientMessageKind.UpdatePosition)
        {
            connection.Send(ServerMessage.Error(ProtocolErrors.NotRegistered));
            return ValueTask.CompletedTask;
        }

        switch (message.Kind)
        {
            case ClientMessageKind.UpdatePosition:
                return UpdatePositionAsync(connection, message.ClientId!, message.Location, cancellationToken);
            case ClientMessageKind.SendOffer or ClientMessageKind.SendAnswer or ClientMessageKind.SendIceCandidate:
                return RelayAsync(connection, message, cancellationToken);
            case ClientMessageKind.RequestPeerRefresh:
                connection.Send(ServerMessage.NearbyPeers(_world.Snapshot(connection.Member!)));
                return ValueTask.CompletedTask;
            case ClientMessageKind.Disconnect:
                return DisconnectAsync(connection, cancellationToken);
            default:
                throw new ArgumentOutOfRangeException(nameof(message), message.Kind, "Unknown client message kind.");
        }
    }

    /// <summary>Answers a message that failed validation.</summary>
    /// <param name="kind">The message's type, if the envelope named a known one.</param>
    public static void Reject(ClientConnection connection, ClientMessageKind kind, string error)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var registrationFirst = !connection.IsRegistered && kind is not (ClientMessageKind.None or ClientMessageKind.UpdatePosition);
        connection.Send(ServerMessage.Error(registrationFirst ? ProtocolErrors.NotRegistered : error));
    }

    /// <summary>
    /// Removes the connection's client, if the connection still owns it, and tells its peers.
    /// Safe to call more than once and for connections that never registered.
    /// </summary>
    public ValueTask ConnectionClosedAsync(ClientConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!connection.IsRegistered)
        {
            return ValueTask.CompletedTask;
        }

        var changes = _registry.Unregister(connection.ClientId, connection);
        if (changes.Count > 0)
        {
            Log.ClientRemoved(_logger, connection.ClientId, connection.Id, changes.Count);
        }

        return DeliverChangesAsync(changes, cancellationToken);
    }

    /// <summary>Re-sends the client its current set, so one that missed an update heals.</summary>
    public void Reintroduce(ClientConnection connection, long now)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.IsRegistered && _registry.IsOwner(connection.ClientId, connection))
        {
            connection.ScheduleReintroduction(now + _reintroductionTicks);
            connection.Send(ServerMessage.NearbyPeers(_world.Snapshot(connection.Member)));
        }
    }

    private async ValueTask UpdatePositionAsync(ClientConnection connection, string clientId, Location location, CancellationToken cancellationToken)
    {
        var now = _time.GetTimestamp();
        var isFirst = !connection.IsRegistered;
        if (isFirst)
        {
            var (member, replaced) = _registry.Register(clientId, connection);
            connection.Register(clientId, member, now, _reintroductionTicks);
            if (replaced is not null)
            {
                Log.ClientTakenOver(_logger, clientId, replaced.Id, connection.Id);
                replaced.Close(CloseCodes.Replaced, "Replaced by a newer connection with the same client_id.");
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

        connection.TouchPosition(now);
        var changes = _world.Place(connection.Member!, location);
        await DeliverChangesAsync(changes, cancellationToken).ConfigureAwait(false);

        if (isFirst && !Contains(changes, clientId))
        {
            connection.Send(ServerMessage.NearbyPeers(_world.Snapshot(connection.Member!)));
        }
    }

    private async ValueTask RelayAsync(ClientConnection connection, ClientMessage message, CancellationToken cancellationToken)
    {
        var senderId = connection.ClientId!;
        var targetId = message.TargetId!;
        var isCandidate = message.Kind == ClientMessageKind.SendIceCandidate;
        string? refusal;
        if (string.Equals(targetId, senderId, StringComparison.Ordinal))
        {
            refusal = ProtocolErrors.TargetIsSelf(message.Kind.ToString());
        }
        else if (!_registry.TryGet(targetId, out _, out var target))
        {
            refusal = ProtocolErrors.TargetNotFound(targetId);
        }
        else if (_relayPolicy == RelayPolicy.Nearby && !_world.IsLinkedOrInGrace(connection.Member!, target))
        {
            refusal = ProtocolErrors.TargetNotNearby(targetId);
        }
        else if (await _delivery.DeliverAsync(targetId, ServerMessage.RelayOf(message.Kind, senderId, message.Payload!), cancellationToken).ConfigureAwait(false))
        {
            return;
        }
        else
        {
            refusal = ProtocolErrors.TargetNotFound(targetId);
        }

        // ICE candidates come in bursts and are harmless to lose: no error for each.
        if (!isCandidate)
        {
            connection.Send(ServerMessage.Error(refusal));
        }
    }

    private async ValueTask DisconnectAsync(ClientConnection connection, CancellationToken cancellationToken)
    {
        await ConnectionClosedAsync(connection, cancellationToken).ConfigureAwait(false);
        connection.Close(CloseCodes.Normal, "Client disconnected.");
    }

    private async ValueTask DeliverChangesAsync(IReadOnlyList<PeerChange> changes, CancellationToken cancellationToken)
    {
        for (var i = 0; i < changes.Count; i++)
        {
            await _delivery.DeliverAsync(changes[i].ClientId, ServerMessage.NearbyPeers(changes[i].Snapshot), cancellationToken).ConfigureAwait(false);
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
    }
}
