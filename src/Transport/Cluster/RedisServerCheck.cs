using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ProxChat.Transport.Cluster;

/// <summary>
/// Looks at each Redis master once the node reaches it, for settings that would break the cluster
/// without any error of their own: a version without GEOSEARCH fails every move, and an eviction
/// policy that may drop any key would silently lose positions, links and directory entries.
/// </summary>
public sealed partial class RedisServerCheck(RedisNode node, ILogger<RedisServerCheck> logger)
{
    /// <summary>GEOSEARCH, which the placement script uses, arrived in Redis 6.2.</summary>
    public static readonly Version MinimumVersion = new(6, 2);

    public async Task CheckAsync()
    {
        foreach (var server in node.Redis.GetServers())
        {
            if (server.IsReplica || server.ServerType == ServerType.Sentinel || !server.IsConnected)
            {
                continue;
            }

            try
            {
                // Through a script: the multiplexer refuses INFO itself unless every admin command
                // (FLUSHALL and the like) is allowed too.
                var memory = ParseInfo((string?)await server.ExecuteAsync("EVAL", RedisScripts.MemoryInfo, 0).ConfigureAwait(false));
                var maxMemory = memory.TryGetValue("maxmemory", out var limit) && long.TryParse(limit, CultureInfo.InvariantCulture, out var bytes) ? bytes : 0;
                foreach (var (level, problem) in Problems(server.Version, maxMemory, memory.GetValueOrDefault("maxmemory_policy")))
                {
                    Log.Problem(logger, level, server.EndPoint, problem);
                }
            }
            catch (Exception exception) when (exception is RedisException or RedisCommandException or TimeoutException)
            {
                // Some managed services refuse INFO; nothing here is needed to run.
                Log.NotChecked(logger, server.EndPoint, exception.Message);
            }
        }
    }

    /// <summary>What is wrong with a server of this version, memory limit (0 for none) and eviction policy, and how badly.</summary>
    public static IEnumerable<(LogLevel Level, string Text)> Problems(Version version, long maxMemory, string? evictionPolicy)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (version < MinimumVersion)
        {
            yield return (LogLevel.Error, $"Redis {version} has no GEOSEARCH: every move will fail. ProxChat needs Redis {MinimumVersion} or later.");
        }

        if (maxMemory > 0 && evictionPolicy is not null && evictionPolicy.StartsWith("allkeys-", StringComparison.Ordinal))
        {
            yield return (LogLevel.Warning, $"maxmemory-policy is {evictionPolicy}: when Redis reaches maxmemory it may evict positions, links and directory entries, and clients would be lost without an error. Use noeviction (or a volatile- policy).");
        }
    }

    /// <summary>INFO's <c>field:value</c> lines, without its section headers (<c># Memory</c>) and blank lines.</summary>
    public static Dictionary<string, string> ParseInfo(string? info)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in (info ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[0] != '#')
            {
                fields[line[..colon]] = line[(colon + 1)..];
            }
        }

        return fields;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 54, Message = "Redis at {EndPoint}: {Problem}")]
        public static partial void Problem(ILogger logger, LogLevel level, System.Net.EndPoint endPoint, string problem);

        [LoggerMessage(55, LogLevel.Debug, "Could not read the settings of Redis at {EndPoint}: {Reason}")]
        public static partial void NotChecked(ILogger logger, System.Net.EndPoint endPoint, string reason);
    }
}
