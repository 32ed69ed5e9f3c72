using ProxChat.Proximity;
using StackExchange.Redis;

namespace ProxChat.Transport.Cluster;

/// <summary>
/// Every Redis key and channel the cluster uses (prefix <c>p</c> = <c>ProxChat:RedisKeyPrefix</c>):
/// <list type="bullet">
/// <item><c>p:{g:c:m}:geo</c> GEO set, <c>p:{g:c:m}:pos</c> exact "x y", <c>p:{g:c:m}:own</c> owning
/// connection token, <c>p:{g:c:m}:ver</c> set versions, <c>p:{g:c:m}:l:&lt;id&gt;</c> link sets — one
/// partition, one hash tag, one Cluster slot, so one script changes both sides of a link atomically.</item>
/// <item><c>p:client:&lt;id&gt;</c> the directory: the owning token <c>node/connection</c>.</item>
/// <item><c>p:node:&lt;node&gt;</c> hash of the node's clients → "connection partition [partition…]": the
/// client's partition, then any a Redis failure may have left it in; for cleanup after the node dies.</item>
/// <item><c>p:nodes</c> sorted set of live nodes by last heartbeat (Redis time, ms); <c>p:reap:&lt;node&gt;</c> the reaper's lock.</item>
/// <item>channel <c>p:bus:&lt;node&gt;</c>: messages for the node's clients.</item>
/// </list>
/// </summary>
public sealed class RedisKeys(string prefix)
{
    public string Prefix { get; } = prefix;

    public RedisKey Nodes { get; } = $"{prefix}:nodes";

    public string BusPrefix { get; } = $"{prefix}:bus:";

    public static string PartitionTag(Partition partition) => $"{partition.GameId}:{partition.Channel}:{partition.MapId}";

    /// <summary>The keys of the partition with this tag.</summary>
    public PartitionKeySet PartitionKeys(string tag)
    {
        var start = $"{Prefix}:{{{tag}}}:";
        return new PartitionKeySet(tag, [start + "geo", start + "pos", start + "own", start + "ver"], start + "l:");
    }

    public RedisKey Client(string clientId) => $"{Prefix}:client:{clientId}";

    public RedisKey Node(string nodeId) => $"{Prefix}:node:{nodeId}";

    public RedisKey ReapLock(string nodeId) => $"{Prefix}:reap:{nodeId}";

    public RedisChannel Bus(string nodeId) => RedisChannel.Literal(BusPrefix + nodeId);
}

/// <summary>
/// One partition's keys in script order (geo, pos, own, ver) and its link-set prefix: built when a
/// client enters the partition and reused for every move inside it.
/// </summary>
public sealed record PartitionKeySet(string Tag, RedisKey[] Keys, string LinkPrefix);
