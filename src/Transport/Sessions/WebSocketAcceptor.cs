using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProxChat.Transport.Signaling;

namespace ProxChat.Transport.Sessions;

/// <summary>Accepts a WebSocket upgrade and runs the connection until it closes.</summary>
public sealed class WebSocketAcceptor(
    SignalingService signaling,
    ConnectionSet connections,
    IOptions<ProxChatOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<WebSocketConnection> logger)
{
    public async Task AcceptAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        var settings = options.Value;
        var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = TimeSpan.FromSeconds(settings.KeepAliveIntervalSeconds),
            KeepAliveTimeout = TimeSpan.FromSeconds(settings.KeepAliveTimeoutSeconds),
        }).ConfigureAwait(false);
        using (socket)
        {
            var connection = new WebSocketConnection(socket, signaling, connections, settings, time, logger);
            await connection.RunAsync(context.RequestAborted).ConfigureAwait(false);
        }
    }
}
