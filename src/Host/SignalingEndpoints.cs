using ProxChat.Transport.Sessions;

namespace ProxChat.Host;

internal static class SignalingEndpoints
{
    private const string Landing =
        "ProxChat signaling server. Connect a WebSocket to this address (or /ws) and send UpdatePosition first.\n";

    /// <summary>
    /// The WebSocket at <c>/</c>, which existing clients dial, and at <c>/ws</c>. A plain GET on
    /// <c>/</c> gets a short description; on <c>/ws</c>, 426 Upgrade Required.
    /// </summary>
    public static void MapSignalingEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.Map("/", static context => context.WebSockets.IsWebSocketRequest
            ? context.RequestServices.GetRequiredService<WebSocketAcceptor>().AcceptAsync(context)
            : Results.Text(Landing).ExecuteAsync(context));

        endpoints.Map("/ws", static context => context.WebSockets.IsWebSocketRequest
            ? context.RequestServices.GetRequiredService<WebSocketAcceptor>().AcceptAsync(context)
            : Results.Text("Expected a WebSocket upgrade.\n", statusCode: StatusCodes.Status426UpgradeRequired).ExecuteAsync(context));
    }
}
