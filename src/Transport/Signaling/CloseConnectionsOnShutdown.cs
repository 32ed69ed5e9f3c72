using Microsoft.Extensions.Hosting;
using ProxChat.Transport.Sessions;

namespace ProxChat.Transport.Signaling;

/// <summary>
/// When the host starts stopping, closes every connection with 1001 Going Away so clients
/// reconnect (to another node) instead of waiting for a dead socket to time out.
/// </summary>
public sealed class CloseConnectionsOnShutdown(ConnectionSet connections, IHostApplicationLifetime lifetime) : IHostedService
{
    private CancellationTokenRegistration _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = lifetime.ApplicationStopping.Register(
            static state => ((ConnectionSet)state!).CloseAll(CloseCodes.GoingAway, "Server shutting down."),
            connections);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _registration.DisposeAsync().AsTask();
}
