using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProxChat.Transport.Presence;
using ProxChat.Transport.Signaling;

namespace ProxChat.Transport.Cluster;

public static class ClusterServiceCollectionExtensions
{
    /// <summary>
    /// Scale-out through Redis: presence, links and the client directory in Redis, delivery across
    /// nodes over pub/sub. Call before <see cref="SignalingServiceCollectionExtensions.AddProxChatSignaling"/>.
    /// </summary>
    public static IServiceCollection AddProxChatRedis(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(sp => RedisNode.ConnectAsync(
                connectionString,
                sp.GetRequiredService<IOptions<ProxChatOptions>>().Value.RedisKeyPrefix,
                sp.GetRequiredService<ILogger<RedisNode>>())
            .GetAwaiter().GetResult());
        services.AddSingleton(static sp => new PeerViews(
            TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<ProxChatOptions>>().Value.RelayGraceSeconds),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<RedisOwnerProbe>();
        services.AddSingleton<IRemoteOwners>(static sp => sp.GetRequiredService<RedisOwnerProbe>());
        services.AddSingleton<RedisMessageDelivery>();
        services.AddSingleton<IMessageDelivery>(static sp => sp.GetRequiredService<RedisMessageDelivery>());
        services.AddSingleton(static sp => new RedisPresenceStore(
            sp.GetRequiredService<RedisNode>(),
            sp.GetRequiredService<ClientRegistry>(),
            sp.GetRequiredService<PeerViews>(),
            sp.GetRequiredService<IOptions<ProxChatOptions>>().Value));
        services.AddSingleton<IPresenceStore>(static sp => sp.GetRequiredService<RedisPresenceStore>());
        services.AddSingleton<BusSubscription>();
        services.AddSingleton<RedisServerCheck>();
        services.AddHostedService<ClusterMaintenance>();
        return services;
    }
}
