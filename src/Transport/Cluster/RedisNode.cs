using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ProxChat.Transport.Cluster;

/// <summary>
/// This process as a member of the cluster: its node id, its one Redis multiplexer, and the
/// claim epoch that moves on whenever Redis may have lost what this node wrote.
/// </summary>
public sealed partial class RedisNode : IAsyncDisposable
{
    private readonly ILogger<RedisNode> _logger;
    private int _epoch;
    private int _reconcileNeeded;
    private string? _unreachableReason = "no heartbeat has reached it yet";

    private RedisNode(IConnectionMultiplexer redis, RedisKeys keys, string nodeId, ILogger<RedisNode> logger)
    {
        Redis = redis;
        Keys = keys;
        NodeId = nodeId;
        _logger = logger;
        Database = redis.GetDatabase();
        redis.ConnectionFailed += OnConnectionFailed;
        redis.ConnectionRestored += OnConnectionRestored;
    }

    /// <summary>Random per process: a restarted node is a new node, and the old one's leftovers are reaped.</summary>
    public string NodeId { get; }

    public RedisKeys Keys { get; }

    public IConnectionMultiplexer Redis { get; }

    public IDatabase Database { get; }

    /// <summary>Moves on when Redis may have lost this node's state; placements in an older epoch claim their client again.</summary>
    public int Epoch => Volatile.Read(ref _epoch);

    /// <summary>Why Redis is unreachable; null while the last heartbeat reached it. /readyz reports this.</summary>
    public string? UnreachableReason
    {
        get => Volatile.Read(ref _unreachableReason);
        internal set => Volatile.Write(ref _unreachableReason, value);
    }

    /// <summary>
    /// Connects in the background: a node starts (not ready) while Redis is down. Commands fail
    /// fast while disconnected instead of queueing, so clients get an Error at once.
    /// </summary>
    public static async Task<RedisNode> ConnectAsync(string connectionString, string keyPrefix, ILogger<RedisNode> logger)
    {
        var nodeId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ClientName ??= $"proxchat-{nodeId}";
        var redis = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        return new RedisNode(redis, new RedisKeys(keyPrefix), nodeId, logger);
    }

    public string TokenOf(long connectionId) => Token(NodeId, connectionId);

    /// <summary>How a connection is named in Redis: <c>node/connection</c>, unique across the cluster.</summary>
    public static string Token(string nodeId, long connectionId) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{nodeId}/{connectionId}");

    public static string NodeOf(string token) => token[..token.IndexOf('/', StringComparison.Ordinal)];

    /// <summary>What every token of the node's connections starts with.</summary>
    public static string TokenPrefix(string nodeId) => nodeId + "/";

    /// <summary>The state this node wrote may be gone: clients claim again, and stale entries are cleaned.</summary>
    public void InvalidateClaims()
    {
        Interlocked.Increment(ref _epoch);
        Volatile.Write(ref _reconcileNeeded, 1);
    }

    /// <summary>True once after each <see cref="InvalidateClaims"/>.</summary>
    internal bool TakeReconcileRequest() => Interlocked.Exchange(ref _reconcileNeeded, 0) == 1;

    public async ValueTask DisposeAsync()
    {
        Redis.ConnectionFailed -= OnConnectionFailed;
        Redis.ConnectionRestored -= OnConnectionRestored;
        await Redis.DisposeAsync().ConfigureAwait(false);
    }

    // Only the interactive connection carries heartbeats and state; the subscription's health is
    // BusSubscription's to judge, and a restored subscription lost nothing clients must claim again.
    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        Log.ConnectionFailed(_logger, e.ConnectionType, e.EndPoint?.ToString(), e.FailureType, e.Exception);
        if (e.ConnectionType == ConnectionType.Interactive)
        {
            UnreachableReason = $"{e.FailureType} on {e.EndPoint}";
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        Log.ConnectionRestored(_logger, e.ConnectionType, e.EndPoint?.ToString());
        if (e.ConnectionType == ConnectionType.Interactive)
        {
            InvalidateClaims();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(40, LogLevel.Warning, "Redis {ConnectionType} connection to {EndPoint} failed ({FailureType}); clients stay connected and get Errors while Redis is away.")]
        public static partial void ConnectionFailed(ILogger logger, ConnectionType connectionType, string? endPoint, ConnectionFailureType failureType, Exception? exception);

        [LoggerMessage(41, LogLevel.Information, "Redis {ConnectionType} connection to {EndPoint} restored.")]
        public static partial void ConnectionRestored(ILogger logger, ConnectionType connectionType, string? endPoint);
    }
}
