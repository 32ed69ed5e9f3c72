using ProxChat.Transport.Protocol;

namespace ProxChat.Transport.Sessions;

/// <summary>
/// A send loop's memory of the newest NearbyPeers version it has sent. Sets computed concurrently
/// can be queued out of order; an older one must never overwrite a newer one the client has.
/// </summary>
internal struct NewestPeerSetFilter
{
    private long _newestSent;

    /// <summary>False for a NearbyPeers older than one already sent; every other message passes.</summary>
    public bool Admits(in ServerMessage message)
    {
        if (message.Kind != ServerMessageKind.NearbyPeers)
        {
            return true;
        }

        if (message.Peers.Version < _newestSent)
        {
            return false;
        }

        _newestSent = message.Peers.Version;
        return true;
    }
}
