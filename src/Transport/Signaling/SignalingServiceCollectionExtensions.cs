using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ProxChat.Proximity;
using ProxChat.Transport.Diagnostics;
using ProxChat.Transport.Ice;
using ProxChat.Transport.Presence;
using ProxChat.Transport.Sessions;

namespace ProxChat.Transport.Signaling;

public static class SignalingServiceCollectionExtensions
{
    /// <summary>
    /// The single-node signaling server: proximity in memory, delivery straight to local sockets.
    /// Expects <see cref="ProxChatOptions"/> to be configured.
    /// </summary>
    public static IServiceCollection AddProxChatSignaling(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(static sp =>
        {
            var options = sp.GetRequiredService<IOptions<ProxChatOptions>>().Value;
            return new ProximityWorld(
                new ProximityRanges(options.IntroductionRange, options.DisconnectionRange),
                TimeSpan.FromSeconds(options.RelayGraceSeconds),
                sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<ClientRegistry>();
        services.TryAddSingleton<IPresenceStore>(static sp => new InMemoryPresenceStore(
            sp.GetRequiredService<ProximityWorld>(),
            sp.GetRequiredService<ClientRegistry>(),
            sp.GetRequiredService<IOptions<ProxChatOptions>>().Value.RelayPolicy));
        services.AddSingleton<ConnectionSet>();
        services.AddMetrics();
        services.AddSingleton<ProxChatMetrics>();
        services.TryAddSingleton<IMessageDelivery, LocalMessageDelivery>();
        services.TryAddSingleton<IRemoteOwners, NoRemoteOwners>();
        services.AddSingleton<TakeoverArbiter>();
        services.AddSingleton<ConnectionIdentities>();
        services.AddSingleton<IceServerIssuer>();
        services.AddSingleton<SignalingService>();
        services.AddSingleton<ConnectionCapacity>();
        services.AddSingleton<ConnectionsPerAddress>();
        services.AddSingleton<UpgradeGate>();
        services.AddSingleton<WebSocketAcceptor>();
        services.AddHostedService<ConnectionSweeper>();
        services.AddHostedService<CloseConnectionsOnShutdown>();
        return services;
    }
}
