using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using ProxChat.Transport.Cluster;
using ProxChat.Transport.Signaling;

namespace ProxChat.Host;

/// <summary>Composes the server. Program runs it; tests build it with their own arguments.</summary>
public static class ProxChatServer
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

        builder.Services.AddOptions<ProxChatOptions>()
            .BindConfiguration(ProxChatOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var health = builder.Services.AddHealthChecks()
            .AddCheck<AcceptingClientsHealthCheck>("accepting-clients", tags: [HealthTags.Ready]);
        if (builder.Configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
        {
            builder.Services.AddProxChatRedis(redis);
            health.AddCheck<RedisHealthCheck>("redis", tags: [HealthTags.Ready]);
        }

        builder.Services.AddProxChatSignaling();

        var app = builder.Build();
        app.UseWebSockets();
        app.UseStaticFiles();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = static _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = static check => check.Tags.Contains(HealthTags.Ready) });
        app.MapSignalingEndpoints();
        return app;
    }
}
