using System.Reflection;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using ProxChat.Transport.Cluster;
using ProxChat.Transport.Diagnostics;
using ProxChat.Transport.Hubs;
using ProxChat.Transport.Sessions;
using ProxChat.Transport.Signaling;

namespace ProxChat.Host;

/// <summary>Composes the server. Program runs it; tests build it with their own arguments.</summary>
public static partial class ProxChatServer
{
    public const string DefaultUrl = "http://0.0.0.0:8080";

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,

            // appsettings.json sits beside the binary, wherever the process is started from.
            ContentRootPath = AppContext.BaseDirectory,
        });

        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey])
            && string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.HttpPortsKey])
            && string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.HttpsPortsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        InlineSocketIo.Configure(builder);
        var settings = builder.Configuration.GetSection(ProxChatOptions.SectionName).Get<ProxChatOptions>() ?? new ProxChatOptions();
        ConfigureConnections(builder, settings);

        builder.Services.AddOptions<ProxChatOptions>()
            .BindConfiguration(ProxChatOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var health = builder.Services.AddHealthChecks()
            .AddCheck<AcceptingClientsHealthCheck>("accepting-clients", tags: [HealthTags.Ready]);
        var redis = builder.Configuration.GetConnectionString("Redis");
        if (redis is { Length: > 0 })
        {
            builder.Services.AddProxChatRedis(redis);
            health.AddCheck<RedisHealthCheck>("redis", tags: [HealthTags.Ready]);
        }

        var hubEnabled = builder.Configuration.GetValue($"{ProxChatOptions.SectionName}:SignalR:Enabled", defaultValue: true);
        if (hubEnabled)
        {
            AddHub(builder.Services, clustered: redis is { Length: > 0 });
        }

        var metricsEnabled = builder.Configuration.GetValue($"{ProxChatOptions.SectionName}:Metrics:Enabled", defaultValue: true);
        var metricsPort = MetricsPort(builder.Configuration);
        if (metricsEnabled)
        {
            // The node's own instruments, Kestrel's connections and the runtime's (GC pauses,
            // thread pool queue), in Prometheus's text format at /metrics; its target_info names
            // the service and its version.
            builder.Services.AddOpenTelemetry()
                .ConfigureResource(static resource => resource.AddService("proxchat", serviceVersion: typeof(ProxChatServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion))
                .WithMetrics(static metrics => metrics
                    .AddMeter(ProxChatMetrics.MeterName, "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime")
                    .AddPrometheusExporter());
        }

        builder.Services.AddProxChatSignaling();
        IceServersEndpoint.AddServices(builder.Services, settings);
        if (settings.Auth.IsEnabled)
        {
            Authentication.Add(builder.Services, settings.Auth);
        }

        var app = builder.Build();
        InlineSocketIo.Report(app);
        ReportOpenOrigins(app, settings);
        Log.IceServers(app.Logger, app.Services.GetRequiredService<ProxChat.Transport.Ice.IceServerIssuer>().Describe());
        if (settings.KnownProxies.Length > 0 || settings.KnownNetworks.Length > 0)
        {
            app.UseForwardedHeaders();
        }

        app.UseUpgradeStreamFeature();
        app.UseWebSockets();
        app.UseStaticFiles();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = static _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = static check => check.Tags.Contains(HealthTags.Ready),
            ResponseWriter = HealthResponse.WriteAsync,
        });
        if (metricsEnabled)
        {
            // By the port the request arrived on, not its Host header, which a client chooses.
            app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
                context.Request.Path == "/metrics" && (metricsPort == 0 || context.Connection.LocalPort == metricsPort));
        }

        if (settings.Auth.IsEnabled)
        {
            app.UseAuthentication();
            app.UseAuthorization();
        }

        IceServersEndpoint.UseRateLimiting(app, settings);
        app.MapSignalingEndpoints();
        IceServersEndpoint.Map(app, settings);
        if (hubEnabled)
        {
            // What would open a new hub connection: a negotiation, or a WebSocket that skips it,
            // passes the gate (origin, token, address, capacity). A request naming a negotiated
            // connection (its WebSocket, or a long poll of one already connected) must still come
            // from an allowed origin; its token is checked by the hub's authorization.
            app.UseWhen(
                static context => context.Request.Path.StartsWithSegments("/hub", StringComparison.Ordinal),
                static hub => hub.Use(static async (context, next) =>
                {
                    var gate = context.RequestServices.GetRequiredService<UpgradeGate>();
                    var opening = context.Request.Path.StartsWithSegments("/hub/negotiate", StringComparison.Ordinal) || !context.Request.Query.ContainsKey("id");
                    var admitted = opening
                        ? await gate.AdmitAsync(context, holdAddress: false).ConfigureAwait(false) is not null
                        : gate.IsOriginAllowed(context) || Forbid(context);
                    if (admitted)
                    {
                        await next(context).ConfigureAwait(false);
                    }
                }));
            var hub = app.MapHub<ProxChatHub>("/hub");
            if (settings.Auth.IsEnabled)
            {
                hub.RequireAuthorization();
            }
        }

        return app;
    }

    /// <summary>
    /// Kestrel's side of abuse resistance: a socket must complete a request within
    /// HandshakeTimeoutSeconds (Kestrel's keep-alive timeout also runs before the first request,
    /// and was 130 s), the sockets on the client listeners are capped below the descriptor limit,
    /// and a trusted proxy's X-Forwarded-For names the client's address.
    /// </summary>
    private static void ConfigureConnections(WebApplicationBuilder builder, ProxChatOptions settings)
    {
        builder.Services.AddSingleton<SocketBudget>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var handshake = TimeSpan.FromSeconds(settings.HandshakeTimeoutSeconds);
            kestrel.Limits.KeepAliveTimeout = handshake;
            kestrel.Limits.RequestHeadersTimeout = handshake;
            kestrel.ConfigureEndpointDefaults(listen => listen.ApplicationServices.GetRequiredService<SocketBudget>().Attach(listen));
        });
        builder.Services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in settings.KnownProxies)
            {
                forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            }

            foreach (var network in settings.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
    }

    private static bool Forbid(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return false;
    }

    /// <summary>In production, says that any web page may connect while AllowedOrigins is unset.</summary>
    private static void ReportOpenOrigins(WebApplication app, ProxChatOptions settings)
    {
        if (settings.AllowedOrigins.Length == 0 && app.Environment.IsProduction())
        {
            Log.OpenOrigins(app.Logger);
        }
    }

    /// <summary>
    /// <c>ProxChat:Metrics:Port</c>: when set, /metrics answers only on that port (which the
    /// server's URLs must include), so a balancer or ingress in front of the client port does not
    /// publish it. 0, the default, serves it on every port.
    /// </summary>
    internal static int MetricsPort(IConfiguration configuration)
    {
        var key = $"{ProxChatOptions.SectionName}:Metrics:Port";
        var port = configuration.GetValue(key, defaultValue: 0);
        return port is >= 0 and <= 65535
            ? port
            : throw new OptionsValidationException(key, typeof(int), [$"{key} must be a TCP port (1-65535), or 0 to serve /metrics on every port (got {port})."]);
    }

    /// <summary>
    /// The SignalR hub: JSON protocol (the hub validates each argument with the raw protocol's
    /// parser, which reads JSON), limits in line with the raw socket, and with Redis the SignalR
    /// backplane on this node's own multiplexer.
    /// </summary>
    private static void AddHub(IServiceCollection services, bool clustered)
    {
        var signalR = services.AddSignalR();
        services.AddOptions<HubOptions>().Configure<IOptions<ProxChatOptions>>(static (hub, options) =>
        {
            hub.MaximumReceiveMessageSize = options.Value.MaxMessageBytes;
            hub.MaximumParallelInvocationsPerClient = 1;
            if (options.Value.KeepAliveIntervalSeconds > 0)
            {
                hub.KeepAliveInterval = TimeSpan.FromSeconds(options.Value.KeepAliveIntervalSeconds);
                hub.ClientTimeoutInterval = TimeSpan.FromSeconds(options.Value.KeepAliveIntervalSeconds + Math.Max(options.Value.KeepAliveTimeoutSeconds, options.Value.KeepAliveIntervalSeconds));
            }
        });
        if (clustered)
        {
            signalR.AddStackExchangeRedis();
            // The node's one multiplexer. A channel prefix set here would be ignored: it only takes
            // effect on a multiplexer the backplane makes itself (README, SignalR hub).
            services.AddOptions<RedisOptions>().Configure<RedisNode>(static (redis, node) =>
                redis.ConnectionFactory = _ => Task.FromResult(node.Redis));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(72, LogLevel.Warning, "ProxChat:AllowedOrigins is not set: a page on any web site may open connections to this server. List your game's origins to refuse the others.")]
        public static partial void OpenOrigins(ILogger logger);

        [LoggerMessage(73, LogLevel.Information, "ICE servers handed to clients: {IceServers}.")]
        public static partial void IceServers(ILogger logger, string iceServers);
    }
}
