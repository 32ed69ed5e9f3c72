using ProxChat.Proximity;
using ProxChat.Transport.Sessions;
using ProxChat.Transport.Signaling;

namespace ProxChat.Transport.Presence;

/// <summary>The single-node store: the in-process <see cref="ProximityWorld"/>; every call completes synchronously.</summary>
public sealed class InMemoryPresenceStore(ProximityWorld world, ClientRegistry registry, RelayPolicy relayPolicy) : IPresenceStore
{
    public ValueTask<Placement> PlaceAsync(ClientConnection connection, Location location, bool isFirst, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return ValueTask.FromResult(new Placement(world.Place(MemberOf(connection), location), isFirst));
    }

    public ValueTask<IReadOnlyList<PeerChange>> RemoveAsync(ClientConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        IReadOnlyList<PeerChange> changes = [];

        // Inside the registry's removal, so a newer connection cannot register the same id and be
        // placed before the old one is gone, which would list the client twice.
        registry.Unregister(connection.ClientId!, connection, member => changes = world.Remove(member));
        return ValueTask.FromResult(changes);
    }

    public ValueTask<PeerSnapshot> SnapshotAsync(ClientConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return ValueTask.FromResult(world.Snapshot(MemberOf(connection)));
    }

    public ValueTask<RelayCheck> CheckRelayAsync(ClientConnection sender, string targetId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sender);
        if (!registry.TryGet(targetId, out _, out var target))
        {
            return ValueTask.FromResult(RelayCheck.NotFound);
        }

        return ValueTask.FromResult(relayPolicy == RelayPolicy.Any || world.IsLinkedOrInGrace(MemberOf(sender), target)
            ? RelayCheck.Allowed
            : RelayCheck.NotNearby);
    }

    private static ProximityMember MemberOf(ClientConnection connection) =>
        connection.Member ?? throw new InvalidOperationException("The connection has not registered a client.");
}
