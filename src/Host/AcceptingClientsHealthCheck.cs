using Microsoft.Extensions.Diagnostics.HealthChecks;
using ProxChat.Transport.Sessions;
using ProxChat.Transport.Signaling;

namespace ProxChat.Host;

/// <summary>
/// Ready once the host has started, and no longer once it begins shutting down; not ready either
/// while it holds <see cref="ProxChatOptions.MaxConnections"/>, so a balancer sends new players elsewhere.
/// </summary>
internal sealed class AcceptingClientsHealthCheck(IHostApplicationLifetime lifetime, ConnectionCapacity capacity) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var result = lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("Shutting down.")
            : !lifetime.ApplicationStarted.IsCancellationRequested
                ? HealthCheckResult.Unhealthy("Starting.")
                : capacity.IsFull
                    ? HealthCheckResult.Unhealthy($"Full: {capacity.MaxConnections} connections, as many as ProxChat:MaxConnections allows.")
                    : HealthCheckResult.Healthy();
        return Task.FromResult(result);
    }
}
