using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ProxChat.Host;

namespace ProxChat.Host.Tests;

/// <summary>The real server on real Kestrel, on a free loopback port.</summary>
internal sealed class TestServer : IAsyncDisposable
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
    public static async Task<TestServer> StartAsync(params (string Key, string Value)[] settings)
    {
        // Re-introductions would interleave with what tests expect; the tests that want them say so.
        var all = new Dictionary<string, string> { ["ReintroductionIntervalSeconds"] = "0" };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        var args = new List<string> { "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default", "Warning" };
        args.AddRange(all.Select(kv => $"--ProxChat:{kv.Key}={kv.Value}"));
        var app = ProxChatServer.Build([.. args]);
        await app.StartAsync();
        return new TestServer(app, new Uri(app.Urls.Single()));
    }

    public T Get<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    public async Task StopAsync() => await _app.StopAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
