using System.Globalization;
using Microsoft.AspNetCore.Builder;
using ProxChat.Host;

namespace ProxChat.Client.Tests;

/// <summary>The real server on real Kestrel, on a free loopback port; can be stopped and started again on the same port.</summary>
internal sealed class ServerNode : IAsyncDisposable
{
    private readonly (string Key, string Value)[] _settings;
    private WebApplication? _app;

    private ServerNode((string Key, string Value)[] settings) => _settings = settings;

    public int Port { get; private set; }

    public Uri WebSocketAddress => new($"ws://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    /// <param name="settings">ProxChat settings, e.g. ("ClientTimeoutSeconds", "1").</param>
    public static async Task<ServerNode> StartAsync(params (string Key, string Value)[] settings)
    {
        var node = new ServerNode(settings);
        await node.StartOnAsync(0);
        return node;
    }

    /// <summary>Stops the node: its clients get 1001 (going away).</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>Starts a fresh node (empty state) on the port the stopped one had.</summary>
    public Task StartAgainAsync() => StartOnAsync(Port);

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StartOnAsync(int port)
    {
        var args = new List<string>
        {
            "--urls", $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            "--Logging:LogLevel:Default", Environment.GetEnvironmentVariable("PROXCHAT_TEST_LOG_LEVEL") ?? "Warning",
        };
        args.AddRange(_settings.Select(setting => $"--ProxChat:{setting.Key}={setting.Value}"));
        var app = ProxChatServer.Build([.. args]);
        await app.StartAsync();
        _app = app;
        Port = new Uri(app.Urls.Single()).Port;
    }
}
