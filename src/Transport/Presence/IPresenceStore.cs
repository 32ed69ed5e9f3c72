using ProxChat.Proximity;
using ProxChat.Transport.Sessions;

namespace ProxChat.Transport.Presence;

/// <summary>
/// Where registered clients stand and who is near whom: in this process's memory on a single
/// node, or in Redis shared by every node. The protocol's rules in
/// <see cref="Signaling.SignalingService"/> are written once against this.
/// </summary>
/// <remarks>
/// Every method is called for a connection that the local <see cref="Signaling.ClientRegistry"/>
/// has registered. Methods may throw <see cref="PresenceUnavailableException"/> when the shared
/// store cannot be reached; nothing is half-applied when they do.
/// </remarks>
public interface IPresenceStore
{
    /// <summary>
    /// Puts the connection's client at <paramref name="location"/>. <paramref name="isFirst"/> is true
    /// on the connection's first placement, when it claims the client everywhere.
    /// </summary>
    ValueTask<Placement> PlaceAsync(ClientConnection connection, Location location, bool isFirst, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the connection's client if the connection still owns it, and returns its former
    /// peers' new sets. Safe to call more than once.
    /// </summary>
    ValueTask<IReadOnlyList<PeerChange>> RemoveAsync(ClientConnection connection, CancellationToken cancellationToken);

    /// <summary>The connection's client's current nearby set.</summary>
    ValueTask<PeerSnapshot> SnapshotAsync(ClientConnection connection, CancellationToken cancellationToken);

    /// <summary>Whether the relay policy lets <paramref name="sender"/>'s client reach <paramref name="targetId"/>.</summary>
    ValueTask<RelayCheck> CheckRelayAsync(ClientConnection sender, string targetId, CancellationToken cancellationToken);
}

/// <summary>The outcome of <see cref="IPresenceStore.PlaceAsync"/>.</summary>
/// <param name="Changes">The clients whose nearby sets changed (the mover among them if its own did);
/// null when a newer connection elsewhere owns the client and this one must stay silent.</param>
/// <param name="Claimed">The connection (re)claimed the client: on its first placement, or because
/// the store had lost it (Redis restarted, or this node was presumed dead). The client is then
/// told its full set even if it did not change.</param>
/// <param name="Error">Set when the location was refused (the store cannot hold it); the client gets it as an Error.</param>
public readonly record struct Placement(IReadOnlyList<PeerChange>? Changes, bool Claimed, string? Error = null)
{
    public static Placement Rejected(string error) => new(null, false, error);
}

public enum RelayCheck
{
    /// <summary>Allowed by the relay policy: linked, within the grace period, or the policy relays to anyone.</summary>
    Allowed,

    /// <summary>
    /// Allowed, and the target is in the sender's current set. A store whose views can lag the
    /// shared state reports it, so the target may answer before its own set shows the link.
    /// </summary>
    AllowedOnLink,

    NotFound,

    NotNearby,
}
