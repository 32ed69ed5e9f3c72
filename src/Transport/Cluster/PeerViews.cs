using System.Collections.Concurrent;
using ProxChat.Proximity;
using ProxChat.Transport.Presence;

namespace ProxChat.Transport.Cluster;

/// <summary>
/// For each client on this node, the nearby set it was last sent and when peers left it. The
/// relay policy is checked against this: a client may relay to exactly the peers it has been told
/// about and, for the grace period, to those it was told have left and those that have relayed to
/// it on a link, with no Redis round trip.
/// </summary>
/// <remarks>
/// Only tracked clients (registered here, from <see cref="Track"/> to <see cref="Remove"/>) have a
/// view; an update for any other client is ignored, so a set arriving for a client that has just
/// left or moved to another node leaves nothing behind.
/// </remarks>
public sealed class PeerViews(TimeSpan grace, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, View> _views = new(StringComparer.Ordinal);
    private readonly long _graceTicks = (long)(grace.TotalSeconds * time.TimestampFrequency);

    /// <summary>The number of tracked clients.</summary>
    public int Count => _views.Count;

    /// <summary>Starts keeping the view of a client that registered on this node.</summary>
    public void Track(string clientId) => _views.GetOrAdd(clientId, static _ => new View());

    /// <summary>
    /// Records the set a tracked client is being sent. A set older than the last one does not
    /// replace it, but the links it shows that have ended since get the grace period.
    /// </summary>
    /// <returns>Whether the client is tracked here, whatever the version.</returns>
    public bool Update(string clientId, PeerSnapshot snapshot)
    {
        if (!_views.TryGetValue(clientId, out var view))
        {
            return false;
        }

        var now = time.GetTimestamp();
        lock (view)
        {
            if (snapshot.Version < view.Version)
            {
                // A client's sets come from the nodes whose scripts changed them, so an older set
                // can arrive after a newer one. Its links existed and have ended since: the peer
                // may have offered meanwhile, so they get the grace period as if seen to end now.
                foreach (var peer in snapshot.PeerIds)
                {
                    view.GraceUnlessLinked(peer, now);
                }

                return true;
            }

            view.Version = snapshot.Version;
            foreach (var peer in view.Peers)
            {
                if (Array.IndexOf(snapshot.PeerIds, peer) < 0)
                {
                    view.GraceSince[peer] = now;
                }
            }

            // The ids the view already holds stay: replaced by the snapshot's fresh copies, each
            // copy would outlive the next young collection in the view and die in an older one.
            view.Peers.IntersectWith(snapshot.PeerIds);
            view.Peers.UnionWith(snapshot.PeerIds);
            foreach (var (peer, at) in view.GraceSince)
            {
                if (view.Peers.Contains(peer) || now - at > _graceTicks)
                {
                    view.GraceSince.Remove(peer);
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Records that a relay sent on a link reached tracked client <paramref name="clientId"/>: the
    /// sender's node found <paramref name="senderId"/> linked to it, and links change on both sides
    /// at once, so the client may answer for the grace period even before its own set showing the
    /// link arrives. That set travels from whichever node's script made the link, on another path
    /// than the relay, and can come after it. Only relays on a link admit answers, so two clients
    /// that have walked apart cannot keep each other's grace going by relaying back and forth.
    /// </summary>
    public void AdmitRepliesFrom(string clientId, string senderId)
    {
        if (!_views.TryGetValue(clientId, out var view))
        {
            return;
        }

        lock (view)
        {
            view.GraceUnlessLinked(senderId, time.GetTimestamp());
        }
    }

    /// <summary>Whether the client may relay to the peer: on a link, in grace, or not at all.</summary>
    /// <returns><see cref="RelayCheck.AllowedOnLink"/>, <see cref="RelayCheck.Allowed"/> (in grace) or <see cref="RelayCheck.NotNearby"/>.</returns>
    public RelayCheck Check(string clientId, string peerId)
    {
        if (!_views.TryGetValue(clientId, out var view))
        {
            return RelayCheck.NotNearby;
        }

        lock (view)
        {
            if (view.Peers.Contains(peerId))
            {
                return RelayCheck.AllowedOnLink;
            }

            return view.GraceSince.TryGetValue(peerId, out var at) && time.GetTimestamp() - at <= _graceTicks
                ? RelayCheck.Allowed
                : RelayCheck.NotNearby;
        }
    }

    public void Remove(string clientId) => _views.TryRemove(clientId, out _);

    private sealed class View
    {
        public long Version { get; set; } = long.MinValue;

        public HashSet<string> Peers { get; } = new(StringComparer.Ordinal);

        /// <summary>Peers outside the set the client may still relay to, from when: they left it, or relayed to the client on a link.</summary>
        public Dictionary<string, long> GraceSince { get; } = new(StringComparer.Ordinal);

        /// <summary>Starts the grace period for a peer outside the set (a linked peer needs none).</summary>
        public void GraceUnlessLinked(string peer, long now)
        {
            if (!Peers.Contains(peer))
            {
                GraceSince[peer] = now;
            }
        }
    }
}
