using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ProxChat.Transport.Sessions;

/// <summary>
/// The server's upgrade, keeping the stream it hands the WebSocket: once the WebSocket has failed
/// the connection itself it reads no more, and <see cref="WebSocketAcceptor"/> reads this stream
/// to learn when the client has hung up (see there). The stream is a <see cref="LivenessStream"/>,
/// so the connection can ping its client when another connection claims its client_id.
/// </summary>
public sealed class UpgradeStreamFeature(IHttpUpgradeFeature server) : IHttpUpgradeFeature
{
    public bool IsUpgradableRequest => server.IsUpgradableRequest;

    /// <summary>The upgraded connection's stream; null until the upgrade.</summary>
    public LivenessStream? Stream { get; private set; }

    public async Task<Stream> UpgradeAsync() => Stream = new LivenessStream(await server.UpgradeAsync().ConfigureAwait(false));
}

public static class UpgradeStreamFeatureExtensions
{
    /// <summary>Installs <see cref="UpgradeStreamFeature"/> on upgradable requests. Call before <c>UseWebSockets</c>, which takes the upgrade feature as it finds it.</summary>
    public static IApplicationBuilder UseUpgradeStreamFeature(this IApplicationBuilder app) =>
        app.Use(static (context, next) =>
        {
            if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } server)
            {
                var feature = new UpgradeStreamFeature(server);
                context.Features.Set<IHttpUpgradeFeature>(feature);
                context.Features.Set(feature);
            }

            return next(context);
        });
}
