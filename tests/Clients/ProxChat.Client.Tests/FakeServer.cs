using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ProxChat.Client.Tests;

/// <summary>
/// A WebSocket server on real Kestrel that plays the server's part by a script: for input no real
/// node sends (garbage, unknown types, fragments, binary frames, any close code, HTTP errors).
/// </summary>
internal sealed class FakeServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeServer(WebApplication app) => _app = app;

    /// <summary>Each upgrade request, in order: its Authorization header and access_token query parameter.</summary>
    public ConcurrentQueue<(string? Authorization, string? QueryToken)> Upgrades { get; } = new();

    public Uri Address => new($"ws://{new Uri(_app.Urls.Single()).Authority}/");

    /// <param name="session">Plays one accepted connection; the socket is closed (if still open) when it returns.</param>
    /// <param name="refuseWith">An HTTP status to answer upgrades with instead of accepting them.</param>
    public static async Task<FakeServer> StartAsync(Func<WebSocket, int, Task> session, int? refuseWith = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var server = new FakeServer(app);
        var sessions = 0;
        app.UseWebSockets();
        app.Run(async context =>
        {
            server.Upgrades.Enqueue((context.Request.Headers.Authorization.FirstOrDefault(), context.Request.Query["access_token"].FirstOrDefault()));
            if (refuseWith is { } status || !context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = refuseWith ?? StatusCodes.Status400BadRequest;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await session(socket, Interlocked.Increment(ref sessions));
        });
        await app.StartAsync();
        return server;
    }

    public static Task SendTextAsync(WebSocket socket, string text, bool endOfMessage = true) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage, CancellationToken.None);

    /// <summary>The next whole text message from the client, or null when it closed.</summary>
    public static async Task<string?> ReceiveTextAsync(WebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, received.Count);
            if (received.EndOfMessage)
            {
                return Encoding.UTF8.GetString(message.ToArray());
            }
        }
    }

    /// <summary>Reads until the client closes or the connection breaks, handing each message to <paramref name="onMessage"/>.</summary>
    public static async Task ReadUntilClosedAsync(WebSocket socket, Action<string>? onMessage = null)
    {
        try
        {
            while (await ReceiveTextAsync(socket) is { } message)
            {
                onMessage?.Invoke(message);
            }
        }
        catch (WebSocketException)
        {
            // The client aborted.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
