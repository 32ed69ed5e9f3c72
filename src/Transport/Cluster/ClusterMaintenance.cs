using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProxChat.Transport.Diagnostics;
using ProxChat.Transport.Signaling;
using StackExchange.Redis;

namespace ProxChat.Transport.Cluster;

/// <summary>
/// The node's life in the cluster: listens on its bus channel and checks that it hears it,
/// heartbeats every second, removes the clients of nodes that fell silent, cleans up after itself
/// when Redis comes back, and leaves nothing behind when it stops.
/// </summary>
/// <remarks>
/// A node counts as dead when two successive checks, a period apart, both find it silent for
/// NodeTimeout minus three heartbeat periods (see <see cref="SilentNodeWitness"/>): silent for
/// NodeTimeout minus two periods in all, so with one check per period its clients are gone from
/// every list within NodeTimeout of its last beat.
/// </remarks>
public sealed partial class ClusterMaintenance(
    RedisNode node,
    RedisPresenceStore presence,
    BusSubscription bus,
    RedisServerCheck serverCheck,
    SignalingService signaling,
    ProxChatMetrics metrics,
    IOptions<ProxChatOptions> options,
    TimeProvider time,
    ILogger<ClusterMaintenance> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    // Keeps Redis busy without flooding it: 8,000 clients took 2–4 s to reap at 64 in flight, 4–5 s at 16.
    private const int RemovalsInFlight = 64;

    private static readonly TimeSpan ReapLockLifetime = TimeSpan.FromSeconds(30);

    private readonly TimeSpan _silence = TimeSpan.FromSeconds(options.Value.NodeTimeoutSeconds) - (3 * Period);
    // Checks come a period apart; half a period apart by Redis's clock tells the next one from
    // those answered in one burst after a stall, and leaves room for the timer's jitter.
    private readonly SilentNodeWitness _witness = new(Period / 2);
    private long _beatingSince = -1;
    private bool _hasBeaten;
    private bool _unreachableReported;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Sockets were told to close as the host began stopping; whatever they have not yet
            // removed themselves is removed here, with their peers told, before the node leaves.
            await RemoveNodeAsync(node.NodeId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or Presence.PresenceUnavailableException)
        {
            Log.LeaveFailed(logger, node.NodeId, exception);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(
            EveryPeriodAsync(_ => BeatAsync(), stoppingToken),
            EveryPeriodAsync(_ => bus.CheckAsync(), stoppingToken),
            EveryPeriodAsync(CleanUpAsync, stoppingToken));

    /// <summary>
    /// Runs one of the node's duties every period. The heartbeat has a loop of its own: reaping a
    /// dead node with tens of thousands of clients takes seconds, and a reaper that stopped
    /// beating meanwhile would be presumed dead itself. So does the bus check, so a subscription
    /// that fails does not count as a heartbeat that failed.
    /// </summary>
    private async Task EveryPeriodAsync(Func<CancellationToken, Task> duty, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        try
        {
            do
            {
                try
                {
                    await duty(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is RedisException or TimeoutException or Presence.PresenceUnavailableException)
                {
                    Log.MaintenanceFailed(logger, exception.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping; StopAsync removes the node.
        }
    }

    private async Task BeatAsync()
    {
        try
        {
            var added = (int)await node.Database.ScriptEvaluateAsync(RedisScripts.Heartbeat, [node.Keys.Nodes], [node.NodeId]).ConfigureAwait(false);
            if (added == 1 && _hasBeaten)
            {
                // Redis forgot this node (restart) or another node presumed it dead and removed its clients.
                Log.NodeForgotten(logger, node.NodeId);
                node.InvalidateClaims();
            }

            _hasBeaten = true;
            node.UnreachableReason = null;
            if (_unreachableReported)
            {
                _unreachableReported = false;
                Log.HeartbeatRestored(logger, node.NodeId);
            }

            if (Volatile.Read(ref _beatingSince) < 0)
            {
                Volatile.Write(ref _beatingSince, time.GetTimestamp());

                // At start-up and after each outage: the Redis that answers may be another one.
                await serverCheck.CheckAsync().ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            node.UnreachableReason = exception.Message;
            Volatile.Write(ref _beatingSince, -1);

            // Once an outage, with the reason: a wrong password or host shows here at start-up,
            // where the multiplexer raises no connection-failed event.
            if (!_unreachableReported)
            {
                _unreachableReported = true;
                Log.HeartbeatFailed(logger, node.NodeId, exception.Message);
            }

            throw;
        }
    }

    private async Task CleanUpAsync(CancellationToken stoppingToken)
    {
        if (node.TakeReconcileRequest())
        {
            await ReconcileAsync(stoppingToken).ConfigureAwait(false);
        }

        // After an outage that silenced every node, the others need as long as a silence to beat
        // again; a node that reaped at once would take them all for dead.
        var since = Volatile.Read(ref _beatingSince);
        if (since >= 0 && time.GetElapsedTime(since) >= _silence)
        {
            await ReapSilentNodesAsync(stoppingToken).ConfigureAwait(false);
        }
        else
        {
            _witness.Forget();
        }
    }

    /// <summary>Removes entries this node wrote for clients it no longer holds (they left while Redis was away).</summary>
    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var entries = await node.Database.HashGetAllAsync(node.Keys.Node(node.NodeId)).ConfigureAwait(false);
        await RemoveListedClientsAsync(node.NodeId, entries, (clientId, connectionId) => !presence.IsLive(clientId, connectionId), cancellationToken).ConfigureAwait(false);
    }

    private async Task ReapSilentNodesAsync(CancellationToken cancellationToken)
    {
        var answer = (RedisResult[])(await node.Database.ScriptEvaluateAsync(RedisScripts.SilentNodes, [node.Keys.Nodes], [(long)_silence.TotalMilliseconds]).ConfigureAwait(false))!;
        var silent = new List<string>(answer.Length - 1);
        for (var i = 1; i < answer.Length; i++)
        {
            var silentNode = (string)answer[i]!;
            if (silentNode != node.NodeId)
            {
                silent.Add(silentNode);
            }
        }

        foreach (var deadNode in _witness.Confirm((long)answer[0], silent))
        {
            // One reaper per dead node; the lock outlives a reaper that dies halfway, then another finishes.
            if (!await node.Database.StringSetAsync(node.Keys.ReapLock(deadNode), node.NodeId, ReapLockLifetime, When.NotExists).ConfigureAwait(false))
            {
                continue;
            }

            Log.ReapingNode(logger, deadNode);
            await RemoveNodeAsync(deadNode, cancellationToken).ConfigureAwait(false);

            // Only while it is still this node's: a reap that outlived the lock may share the work with another.
            await node.Database.ScriptEvaluateAsync(RedisScripts.DeleteIfEquals, [node.Keys.ReapLock(deadNode)], [node.NodeId]).ConfigureAwait(false);
        }
    }

    /// <summary>Removes every client a node listed, tells their peers, and then the node itself.</summary>
    private async Task RemoveNodeAsync(string nodeId, CancellationToken cancellationToken)
    {
        var entries = await node.Database.HashGetAllAsync(node.Keys.Node(nodeId)).ConfigureAwait(false);
        await RemoveListedClientsAsync(nodeId, entries, static (_, _) => true, cancellationToken).ConfigureAwait(false);

        // The list first, then the node: a reaper that dies between the two leaves a silent node
        // with an empty list, which the next reaper finishes. The other way round, a list could
        // outlive every record that it needs reaping. On a Redis Cluster the two keys live on
        // different shards, so only waiting for the first orders them.
        await node.Database.KeyDeleteAsync(node.Keys.Node(nodeId)).ConfigureAwait(false);
        await node.Database.SortedSetRemoveAsync(node.Keys.Nodes, nodeId).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes the clients of a node's list (<c>p:node:&lt;node&gt;</c>) that <paramref name="select"/>
    /// picks, and tells their peers. Many at once: one after another, a node of 8,000 clients
    /// took 8–14 s to reap, far beyond what NodeTimeout promises (README, Scaling).
    /// </summary>
    private Task RemoveListedClientsAsync(string nodeId, HashEntry[] entries, Func<string, long, bool> select, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            entries,
            new ParallelOptions { MaxDegreeOfParallelism = RemovalsInFlight, CancellationToken = cancellationToken },
            async (entry, token) =>
            {
                var clientId = (string)entry.Name!;
                var (connectionId, tags) = RedisPresenceStore.ParseNodeEntry((string)entry.Value!);
                if (select(clientId, connectionId))
                {
                    var changes = await presence.RemoveEverywhereAsync(clientId, connectionId, nodeId, tags).ConfigureAwait(false);
                    await signaling.NotifyAsync(changes, token).ConfigureAwait(false);
                    if (nodeId != node.NodeId)
                    {
                        metrics.Reaped();
                    }
                }
            });

    private static partial class Log
    {
        [LoggerMessage(60, LogLevel.Warning, "Node {NodeId} fell silent; removing its clients.")]
        public static partial void ReapingNode(ILogger logger, string nodeId);

        [LoggerMessage(61, LogLevel.Warning, "Redis no longer listed this node ({NodeId}); its clients claim their places again.")]
        public static partial void NodeForgotten(ILogger logger, string nodeId);

        [LoggerMessage(62, LogLevel.Debug, "Cluster maintenance skipped a round: {Reason}")]
        public static partial void MaintenanceFailed(ILogger logger, string reason);

        [LoggerMessage(63, LogLevel.Warning, "Node {NodeId} could not remove itself from Redis while stopping; the others reap it after NodeTimeout.")]
        public static partial void LeaveFailed(ILogger logger, string nodeId, Exception exception);

        [LoggerMessage(64, LogLevel.Warning, "Node {NodeId} is not ready: its heartbeat cannot reach Redis ({Reason}). Clients stay connected and get Errors until Redis answers.")]
        public static partial void HeartbeatFailed(ILogger logger, string nodeId, string reason);

        [LoggerMessage(65, LogLevel.Information, "Node {NodeId} reaches Redis again.")]
        public static partial void HeartbeatRestored(ILogger logger, string nodeId);
    }
}
