using System.Collections.Concurrent;
using System.Globalization;
using ProxChat.Proximity;
using ProxChat.Transport.Presence;
using ProxChat.Transport.Sessions;
using ProxChat.Transport.Signaling;
using StackExchange.Redis;

namespace ProxChat.Transport.Cluster;

/// <summary>
/// Presence shared by every node through Redis. A move that changes no link and stays in its
/// partition is one script call (one round trip); changing partition adds a removal from the old
/// one, pipelined beside it. Registration adds the directory claim.
/// </summary>
public sealed class RedisPresenceStore : IPresenceStore
{
    private readonly RedisNode _node;
    private readonly ClientRegistry _registry;
    private readonly PeerViews _views;
    private readonly RelayPolicy _relayPolicy;
    private readonly string _introduction;
    private readonly string _disconnection;
    private readonly string _searchRadius;
    private readonly ConcurrentDictionary<long, LocalClient> _clients = new();

    public RedisPresenceStore(RedisNode node, ClientRegistry registry, PeerViews views, ProxChatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _node = node;
        _registry = registry;
        _views = views;
        _relayPolicy = options.RelayPolicy;
        _introduction = options.IntroductionRange.ToString(CultureInfo.InvariantCulture);
        _disconnection = options.DisconnectionRange.ToString(CultureInfo.InvariantCulture);
        _searchRadius = GeoMapping.SearchRadiusMeters(options.IntroductionRange).ToString("R", CultureInfo.InvariantCulture);
    }

    private IDatabase Database => _node.Database;

    private RedisKeys Keys => _node.Keys;

    public async ValueTask<Placement> PlaceAsync(ClientConnection connection, Location location, bool isFirst, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!GeoMapping.CanHold(location.X, location.Y))
        {
            return Placement.Rejected(GeoMapping.OutOfRangeError(location));
        }

        var clientId = connection.ClientId!;
        if (!_registry.IsOwner(clientId, connection))
        {
            // Removed or taken over while this move was on its way: claiming now would resurrect it.
            return new Placement(null, false);
        }

        if (isFirst)
        {
            _views.Track(clientId);
        }

        var client = _clients.GetOrAdd(connection.Id, static (id, node) => new LocalClient(node.TokenOf(id)), _node);
        var token = client.Token;
        var entering = client.Keys is null || client.Partition != location.Partition;
        var target = entering ? Keys.PartitionKeys(RedisKeys.PartitionTag(location.Partition)) : client.Keys!;
        try
        {
            var claim = isFirst || client.Epoch != _node.Epoch;
            string? replaced = null;
            if (claim)
            {
                var (claimed, previous) = await ClaimAsync(connection, client, target, isFirst).ConfigureAwait(false);
                if (!claimed)
                {
                    return new Placement(null, false);
                }

                replaced = previous;
            }

            // Leaving a partition: out of the old one, pipelined with the placement in the new one,
            // which takes ownership there and reports the mover's new set. This node's list names
            // both first, so that should the node die before Redis confirms, its reaper finds both.
            if (entering && client.Keys is { } old)
            {
                client.MayBeIn(old);
                client.Keys = null;
                _ = Database.HashSetAsync(Keys.Node(_node.NodeId), clientId, NodeEntry(connection.Id, target.Tag, client.StraysOutside(target)), flags: CommandFlags.FireAndForget);
            }

            var leaving = client.StraysOutside(target);
            var leaves = leaving.Length == 0 ? [] : RemoveScripts(clientId, token, leaving);
            var place = PlaceScript(clientId, token, location, target, claim || entering);
            var changes = new List<PeerChange>();
            for (var i = 0; i < leaves.Length; i++)
            {
                ReadChanges((RedisResult[])(await leaves[i].ConfigureAwait(false))!, changes);
                client.Left(leaving[i]);
            }

            var result = (RedisResult[])(await place.ConfigureAwait(false))!;
            var status = (int)result[0];
            if (status == 1)
            {
                client.Keys = target;
                client.Partition = location.Partition;
                client.Left(target);
                ReadChanges(result, changes);
            }

            RecordAndOrder(changes, _views);
            switch (status)
            {
                case -1:
                    // A newer connection on another node owns the client; its takeover message closes this one.
                    return new Placement(changes, false);
                case -2:
                    // Redis lost the client (restart, or this node was presumed dead): claim it again.
                    client.Epoch = -1;
                    var again = await PlaceAsync(connection, location, isFirst: false, cancellationToken).ConfigureAwait(false);
                    return again with { Changes = [.. changes, .. again.Changes ?? []] };
            }

            if (replaced is not null)
            {
                // Only now that this connection owns the client's place may the old one close:
                // its removal then finds nothing of its own, and the client's peers see no flap.
                NotifyReplaced(clientId, replaced);
            }

            return new Placement(changes, claim);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            client.Epoch = -1;
            if (client.Keys is null)
            {
                // The placement may have happened with only its answer lost.
                client.MayBeIn(target);
            }

            throw new PresenceUnavailableException("Redis is unavailable.", exception) { MayHaveBeenApplied = exception is TimeoutException };
        }
    }

    public async ValueTask<IReadOnlyList<PeerChange>> RemoveAsync(ClientConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var clientId = connection.ClientId!;
        if (_registry.Unregister(clientId, connection))
        {
            _views.Remove(clientId);
        }

        if (!_clients.TryRemove(connection.Id, out var client))
        {
            return [];
        }

        var strays = client.Strays;
        if (client.Keys is not { } keys)
        {
            if (strays.Length == 0)
            {
                return [];
            }

            (keys, strays) = (strays[^1], strays[..^1]);
        }

        try
        {
            return await RemoveEverywhereAsync(clientId, connection.Id, _node.NodeId, keys, strays).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // This node's entry in p:node still lists the client: reconciliation removes it later.
            throw new PresenceUnavailableException("Redis is unavailable.", exception);
        }
    }

    public async ValueTask<PeerSnapshot> SnapshotAsync(ClientConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!_clients.TryGetValue(connection.Id, out var client) || client.Keys is not { } keys)
        {
            return PeerSnapshot.Empty;
        }

        try
        {
            var result = (RedisResult[])(await Database.ScriptEvaluateAsync(
                RedisScripts.Snapshot,
                [keys.Keys[2], keys.Keys[3]],
                [connection.ClientId!, client.Token, keys.LinkPrefix]).ConfigureAwait(false))!;
            if (result.Length == 0)
            {
                return PeerSnapshot.Empty;
            }

            var peers = new string[result.Length - 1];
            for (var i = 0; i < peers.Length; i++)
            {
                peers[i] = (string)result[i + 1]!;
            }

            var snapshot = new PeerSnapshot(peers, long.Parse((string)result[0]!, CultureInfo.InvariantCulture));
            _views.Update(connection.ClientId!, snapshot);
            return snapshot;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            throw new PresenceUnavailableException("Redis is unavailable.", exception);
        }
    }

    public async ValueTask<RelayCheck> CheckRelayAsync(ClientConnection sender, string targetId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sender);
        if (_relayPolicy == RelayPolicy.Any)
        {
            return RelayCheck.Allowed;
        }

        var check = _views.Check(sender.ClientId!, targetId);
        if (check != RelayCheck.NotNearby)
        {
            return check;
        }

        // Refused either way; only the error text depends on whether the target exists.
        if (_registry.TryGet(targetId, out _, out _))
        {
            return RelayCheck.NotNearby;
        }

        try
        {
            return await Database.KeyExistsAsync(Keys.Client(targetId)).ConfigureAwait(false) ? RelayCheck.NotNearby : RelayCheck.NotFound;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            throw new PresenceUnavailableException("Redis is unavailable.", exception);
        }
    }

    /// <summary>
    /// Removes a client placed by connection <paramref name="connectionId"/> of <paramref name="nodeId"/>
    /// from every partition of <paramref name="tags"/> (as the node's list names them), the
    /// directory and the node's list, each only while that connection still owns it. For a dead
    /// node's clients, and for this node's that left while Redis was away. The changes name no
    /// client of another node <paramref name="nodeId"/> still owns: that node is dead, and its
    /// clients are being removed with it.
    /// </summary>
    internal Task<IReadOnlyList<PeerChange>> RemoveEverywhereAsync(string clientId, long connectionId, string nodeId, string[] tags) =>
        RemoveEverywhereAsync(clientId, connectionId, nodeId, Keys.PartitionKeys(tags[0]), Array.ConvertAll(tags[1..], Keys.PartitionKeys));

    private async Task<IReadOnlyList<PeerChange>> RemoveEverywhereAsync(string clientId, long connectionId, string nodeId, PartitionKeySet partition, PartitionKeySet[] strays)
    {
        var token = RedisNode.Token(nodeId, connectionId);
        var deadNode = nodeId == _node.NodeId ? null : RedisNode.TokenPrefix(nodeId);
        Task<RedisResult>[] removals = [.. RemoveScripts(clientId, token, strays, deadNode), RemoveScript(clientId, token, partition, deadNode)];
        var directory = Database.ScriptEvaluateAsync(RedisScripts.DeleteIfEquals, [Keys.Client(clientId)], [token]);
        var nodeList = Database.ScriptEvaluateAsync(RedisScripts.DeleteNodeEntry, [Keys.Node(nodeId)], [clientId, connectionId]);
        await Task.WhenAll([.. removals, directory, nodeList]).ConfigureAwait(false);
        var changes = new List<PeerChange>();
        foreach (var removal in removals)
        {
            ReadChanges((RedisResult[])(await removal.ConfigureAwait(false))!, changes);
        }

        RecordAndOrder(changes, _views);
        return changes;
    }

    /// <summary>Whether this node's connection <paramref name="connectionId"/> still holds <paramref name="clientId"/>.</summary>
    internal bool IsLive(string clientId, long connectionId) =>
        _registry.TryGet(clientId, out var connection, out _) && connection.Id == connectionId && _clients.ContainsKey(connectionId);

    /// <summary>
    /// A client's entry in its node's list: the connection, the client's partition, then any it may
    /// still be in (see <see cref="LocalClient.Strays"/>). Tags hold only integers and colons.
    /// </summary>
    internal static string NodeEntry(long connectionId, string tag, PartitionKeySet[] strays)
    {
        var entry = string.Create(CultureInfo.InvariantCulture, $"{connectionId} {tag}");
        return strays.Length == 0 ? entry : string.Join(' ', [entry, .. strays.Select(stray => stray.Tag)]);
    }

    /// <summary>Reads an entry of <see cref="NodeEntry"/>: the connection, and the partitions' tags, the client's own first.</summary>
    internal static (long ConnectionId, string[] Tags) ParseNodeEntry(string entry)
    {
        var parts = entry.Split(' ');
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), parts[1..]);
    }

    /// <summary>
    /// Makes the connection the client's owner in the directory. On first registration it takes the
    /// client from whoever held it (returned, to be told once the placement is done); on a re-claim
    /// it yields to a newer owner.
    /// </summary>
    private async Task<(bool Claimed, string? Replaced)> ClaimAsync(ClientConnection connection, LocalClient client, PartitionKeySet target, bool isFirst)
    {
        var clientId = connection.ClientId!;
        var token = client.Token;
        var epoch = _node.Epoch;
        var nodeList = Database.HashSetAsync(Keys.Node(_node.NodeId), clientId, NodeEntry(connection.Id, target.Tag, client.StraysOutside(target)));
        string? replaced = null;
        if (isFirst)
        {
            var previous = (string?)await Database.StringSetAndGetAsync(Keys.Client(clientId), token).ConfigureAwait(false);
            if (previous is not null && previous != token && RedisNode.NodeOf(previous) != _node.NodeId)
            {
                replaced = previous;
            }
        }
        else if ((int)await Database.ScriptEvaluateAsync(RedisScripts.Reclaim, [Keys.Client(clientId)], [token]).ConfigureAwait(false) == 0)
        {
            // Taken over elsewhere while this node could not hear of it.
            await nodeList.ConfigureAwait(false);
            connection.Close(CloseCodes.Replaced, CloseCodes.ReplacedReason);
            return (false, null);
        }

        await nodeList.ConfigureAwait(false);
        client.Epoch = epoch;
        return (true, replaced);
    }

    /// <summary>Tells the node of the connection that held the client before that it was taken over.</summary>
    private void NotifyReplaced(string clientId, string previousToken)
    {
        var previousNode = RedisNode.NodeOf(previousToken);
        var replaced = long.Parse(previousToken.AsSpan(previousNode.Length + 1), CultureInfo.InvariantCulture);
        _ = Database.PublishAsync(Keys.Bus(previousNode), BusMessage.Takeover(clientId, replaced), CommandFlags.FireAndForget);
    }

    private Task<RedisResult> PlaceScript(string clientId, string token, Location location, PartitionKeySet partition, bool claim)
    {
        var (longitude, latitude) = GeoMapping.ToLonLat(location.X, location.Y);
        return Database.ScriptEvaluateAsync(RedisScripts.Place, partition.Keys,
        [
            clientId,
            location.X,
            location.Y,
            longitude,
            latitude,
            _searchRadius,
            _introduction,
            _disconnection,
            token,
            claim ? "1" : "0",
            partition.LinkPrefix,
        ]);
    }

    /// <param name="deadNode">The token prefix (<c>node/</c>) of a dead node whose clients' sets the removals leave unreported; null for none.</param>
    private Task<RedisResult>[] RemoveScripts(string clientId, string token, PartitionKeySet[] partitions, string? deadNode = null) =>
        Array.ConvertAll(partitions, partition => RemoveScript(clientId, token, partition, deadNode));

    private Task<RedisResult> RemoveScript(string clientId, string token, PartitionKeySet partition, string? deadNode = null) =>
        Database.ScriptEvaluateAsync(
            RedisScripts.Remove,
            partition.Keys,
            deadNode is null ? [clientId, token, partition.LinkPrefix] : [clientId, token, partition.LinkPrefix, deadNode]);

    /// <summary>
    /// Records every changed set of this node's clients in their views, and moves those changes
    /// after the ones for clients elsewhere, which are delivered over the bus. A link changes both
    /// sides at once, and the first side to hear of it may offer at once: the second side's view
    /// must hold the link before the answer comes back, or the answer is refused as "not nearby".
    /// Here that means recording both views before either client is told. Across nodes it means
    /// publishing the remote side's set before this node's client hears of the link: its offer
    /// then follows that set through the one multiplexer, Redis and the other node's ordered bus,
    /// so the other node records the set before it delivers the offer.
    /// </summary>
    internal static void RecordAndOrder(List<PeerChange> changes, PeerViews views)
    {
        List<PeerChange>? local = null;
        var remote = 0;
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            if (views.Update(change.ClientId, change.Snapshot))
            {
                (local ??= []).Add(change);
            }
            else
            {
                changes[remote++] = change;
            }
        }

        if (local is not null)
        {
            changes.RemoveRange(remote, changes.Count - remote);
            changes.AddRange(local);
        }
    }

    /// <summary>Reads the scripts' change records (after the status) into <paramref name="changes"/>.</summary>
    private static void ReadChanges(RedisResult[] result, List<PeerChange> changes)
    {
        var i = 1;
        while (i < result.Length)
        {
            var clientId = (string)result[i]!;
            var version = long.Parse((string)result[i + 2]!, CultureInfo.InvariantCulture);
            var count = (int)result[i + 3];
            var peers = new string[count];
            for (var p = 0; p < count; p++)
            {
                peers[p] = (string)result[i + 4 + p]!;
            }

            changes.Add(new PeerChange(clientId, new PeerSnapshot(peers, version)));
            i += 4 + count;
        }
    }

    /// <summary>This node's record of one of its connections' clients.</summary>
    private sealed class LocalClient(string token)
    {
        /// <summary>The connection's token (<c>node/connection</c>), as the partition and directory record its owner.</summary>
        public string Token { get; } = token;

        /// <summary>The partition the client was last placed in, and its keys; null before the first placement.</summary>
        public Partition Partition { get; set; }

        public PartitionKeySet? Keys { get; set; }

        /// <summary>The <see cref="RedisNode.Epoch"/> of the last claim; -1 forces a claim.</summary>
        public int Epoch { get; set; } = -1;

        /// <summary>
        /// Partitions the client may still be listed in although it has moved on: the one a map
        /// change left, until Redis confirms the removal, and one whose placement failed with its
        /// answer unknown. Each is removed with the next placement elsewhere or on disconnection,
        /// so a Redis failure mid-move leaves no copy of the client behind. Replaced, never
        /// changed, so a disconnection racing a move reads a consistent list.
        /// </summary>
        public PartitionKeySet[] Strays { get; private set; } = [];

        public void MayBeIn(PartitionKeySet partition)
        {
            if (IndexOf(Strays, partition) < 0)
            {
                Strays = [.. Strays, partition];
            }
        }

        public void Left(PartitionKeySet partition)
        {
            if (IndexOf(Strays, partition) >= 0)
            {
                Strays = StraysOutside(partition);
            }
        }

        /// <summary>The strays other than <paramref name="partition"/>; no allocation when there are none.</summary>
        public PartitionKeySet[] StraysOutside(PartitionKeySet partition)
        {
            var strays = Strays;
            var index = IndexOf(strays, partition);
            return index < 0 ? strays : [.. strays[..index], .. strays[(index + 1)..]];
        }

        private static int IndexOf(PartitionKeySet[] strays, PartitionKeySet partition)
        {
            for (var i = 0; i < strays.Length; i++)
            {
                if (strays[i].Tag == partition.Tag)
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
