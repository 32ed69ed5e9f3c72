using System.Net;
using System.Net.WebSockets;

namespace ProxChat.Host.Tests;

/// <summary>What a WebSocket upgrade was answered with, for the tests of requests the server refuses before any WebSocket exists.</summary>
internal static class UpgradeStatus
{
    /// <returns>101 when the upgrade succeeded (the socket is closed again at once), else the refusal's status.</returns>
    public static async Task<HttpStatusCode> OfAsync(IServerNode server, string path = "/", Action<ClientWebSocketOptions>? configure = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        configure?.Invoke(socket.Options);
        try
        {
            await socket.ConnectAsync(new Uri($"ws://{server.HttpAddress.Authority}{path}"), CancellationToken.None);
        }
        catch (WebSocketException)
        {
            return socket.HttpStatusCode;
        }

        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        return HttpStatusCode.SwitchingProtocols;
    }
}
