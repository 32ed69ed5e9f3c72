using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using ProxChat.Transport.Ice;
using ProxChat.Transport.Protocol;
using ProxChat.Transport.Sessions;
using ProxChat.Transport.Signaling;

namespace ProxChat.Host;

/// <summary>
/// <c>GET /ice-servers?client_id=&lt;id&gt;</c>: the ICE servers a client gets in-band, for a
/// client that wants them before it connects. With authentication on, the token is required and
/// its subject is the id; without, anyone may ask for any id, so each address is rate-limited.
/// </summary>
internal static class IceServersEndpoint
{
    public const string Path = "/ice-servers";

    /// <summary>Requests an address may make at once without authentication; then one every <see cref="ReplenishPeriod"/>.</summary>
    public const int BurstPerAddress = 20;

    public static readonly TimeSpan ReplenishPeriod = TimeSpan.FromSeconds(3);

    private const string RateLimitPolicy = "ice-servers";

    public static readonly string InvalidClientId =
        $"Query parameter 'client_id' is required: 1-{ProtocolErrors.MaxClientIdLength} characters, no control or format characters (such as NUL or zero-width characters), not only whitespace.\n";

    public static void AddServices(IServiceCollection services, ProxChatOptions settings)
    {
        if (IsRateLimited(settings))
        {
            services.AddRateLimiter(limiter =>
            {
                limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                limiter.AddPolicy(RateLimitPolicy, static context => RateLimitPartition.GetTokenBucketLimiter(
                    context.Connection.RemoteIpAddress?.ToString() ?? string.Empty,
                    static _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = BurstPerAddress,
                        TokensPerPeriod = 1,
                        ReplenishmentPeriod = ReplenishPeriod,
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    }));
            });
        }
    }

    /// <summary>Adds the rate limiter to the pipeline, where the endpoint needs one.</summary>
    public static void UseRateLimiting(WebApplication app, ProxChatOptions settings)
    {
        if (IsRateLimited(settings))
        {
            app.UseRateLimiter();
        }
    }

    /// <summary>Served without authentication: then anyone may ask for any id, and each address is limited.</summary>
    private static bool IsRateLimited(ProxChatOptions settings) => settings.Turn.HttpEndpoint && !settings.Auth.IsEnabled;

    public static void Map(WebApplication app, ProxChatOptions settings)
    {
        if (!settings.Turn.HttpEndpoint)
        {
            return;
        }

        var endpoint = app.MapGet(Path, static (HttpContext context, IceServerIssuer issuer, ConnectionIdentities identities, IOptions<ProxChatOptions> options) =>
        {
            string? clientId = options.Value.Auth.IsEnabled
                ? identities.Of(context.User)?.Subject
                : context.Request.Query["client_id"] is [var single] ? single : null;
            if (!ClientMessageParser.IsValidClientId(clientId))
            {
                // With authentication, a token without its subject claim.
                return options.Value.Auth.IsEnabled
                    ? Results.Unauthorized()
                    : Results.Text(InvalidClientId, statusCode: StatusCodes.Status400BadRequest);
            }

            context.Response.Headers.CacheControl = "no-store";
            return Results.Bytes(issuer.IssueUtf8(clientId), "application/json");
        });
        if (IsRateLimited(settings))
        {
            endpoint.RequireRateLimiting(RateLimitPolicy);
        }
        else
        {
            endpoint.RequireAuthorization();
        }
    }
}
