using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ProxChat.Host;

namespace ProxChat.Host.Tests;

/// <summary>The real server on real Kestrel, on a free loopback port.</summary>
internal sealed class TestServer : IServerNode, IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServer(WebApplication app, Uri address)
    {
        _app = app;
        HttpAddress = address;
    }

    public Uri HttpAddress { get; }

    public Uri WebSocketAddress(string path = "/") => new($"ws://{HttpAddress.Authority}{path}");

    /// <param name="settings">ProxChat settings, e.g. ("ClientTimeoutSeconds", "1").</param>
    public static Task<TestServer> StartAsync(params (string Key, string Value)[] settings) => StartAsync([], settings);

    /// <summary>A node of a cluster: on <paramref name="redis"/>, under a key prefix shared by the cluster's nodes.</summary>
    public static Task<TestServer> StartNodeAsync(string redis, string keyPrefix, params (string Key, string Value)[] settings) =>
        StartAsync([$"--ConnectionStrings:Redis={redis}"], [("RedisKeyPrefix", keyPrefix), .. settings]);

    /// <summary>A server that serves /metrics only on <paramref name="metricsPort"/>, a second port beside its client port.</summary>
    public static async Task<TestServer> StartWithMetricsPortAsync(int metricsPort)
    {
        var port = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var app = ProxChatServer.Build([.. Arguments($"http://127.0.0.1:0;http://127.0.0.1:{port}", [("Metrics:Port", port)])]);
        await app.StartAsync();
        return new TestServer(app, new Uri(app.Urls.Single(url => !url.EndsWith($":{port}", StringComparison.Ordinal))));
    }

    /// <summary>The command-line arguments for the server, for tests that run it as a child process.</summary>
    public static List<string> Arguments(string url, IEnumerable<(string Key, string Value)> settings)
    {
        // Re-introductions would interleave with what tests expect, and a client that stands still
        // through a test's failover or outage would be timed out by whatever the machine's load
        // made of its length (a Redis Cluster failover test lost its clients so); the tests that
        // want either say so.
        var all = new Dictionary<string, string> { ["ReintroductionIntervalSeconds"] = "0", ["ClientTimeoutSeconds"] = "0" };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        var args = new List<string> { "--urls", url, "--Logging:LogLevel:Default", Environment.GetEnvironmentVariable("PROXCHAT_TEST_LOG_LEVEL") ?? "Warning" };
        args.AddRange(all.Select(kv => $"--ProxChat:{kv.Key}={kv.Value}"));
        return args;
    }

    private static async Task<TestServer> StartAsync(string[] extraArgs, (string Key, string Value)[] settings)
    {
        var app = ProxChatServer.Build([.. Arguments("http://127.0.0.1:0", settings), .. extraArgs]);
        await app.StartAsync();
        return new TestServer(app, new Uri(app.Urls.Single()));
    }

    public T Get<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    public async Task StopAsync() => await _app.StopAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
