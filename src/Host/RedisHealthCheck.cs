using Microsoft.Extensions.Diagnostics.HealthChecks;
using ProxChat.Transport.Cluster;

namespace ProxChat.Host;

/// <summary>
/// Ready only while this node's heartbeats reach Redis and it hears its own bus channel: a
/// balancer then stops sending it new clients while Redis is away, or while messages from other
/// nodes to its clients would be lost.
/// </summary>
internal sealed class RedisHealthCheck(RedisNode node, BusSubscription bus) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            node.UnreachableReason is { } reason ? HealthCheckResult.Unhealthy($"Redis is unreachable: {reason}")
            : !node.Redis.IsConnected ? HealthCheckResult.Unhealthy("Redis is unreachable.")
            : !bus.IsListening ? HealthCheckResult.Unhealthy($"Node {node.NodeId} does not hear its own bus channel.")
            : HealthCheckResult.Healthy($"Node {node.NodeId} is in the cluster."));
}
