using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ProxChat.Host;

/// <summary>Ready once the host has started, and no longer once it begins shutting down.</summary>
internal sealed class AcceptingClientsHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var result = lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("Shutting down.")
            : lifetime.ApplicationStarted.IsCancellationRequested
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("Starting.");
        return Task.FromResult(result);
    }
}
