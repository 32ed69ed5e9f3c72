using Microsoft.Extensions.Diagnostics.HealthChecks;
using ProxChat.Transport.Cluster;

namespace ProxChat.Host;

/// <summary>Ready only while this node's heartbeats reach Redis: a balancer then stops sending it new clients during an outage.</summary>
internal sealed class RedisHealthCheck(RedisNode node) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(node.IsHealthy && node.Redis.IsConnected
            ? HealthCheckResult.Healthy($"Node {node.NodeId} is in the cluster.")
            : HealthCheckResult.Unhealthy("Redis is unreachable."));
}
