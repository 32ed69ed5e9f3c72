using ProxChat.Transport.Sessions;

namespace ProxChat.Host;

internal static class SignalingEndpoints
{
    /// <summary>
    /// The WebSocket at <c>/</c>, which existing clients dial, and at <c>/ws</c>. A plain GET on
    /// <c>/</c> gets the demo page (its scripts are static files beside it); on <c>/ws</c>, 426
    /// Upgrade Required.
    /// </summary>
    public static void MapSignalingEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.Map("/", static context => context.WebSockets.IsWebSocketRequest
            ? context.RequestServices.GetRequiredService<WebSocketAcceptor>().AcceptAsync(context)
            : Results.File(
                context.RequestServices.GetRequiredService<IWebHostEnvironment>().WebRootFileProvider.GetFileInfo("index.html").PhysicalPath!,
                "text/html; charset=utf-8").ExecuteAsync(context));

        endpoints.Map("/ws", static context => context.WebSockets.IsWebSocketRequest
            ? context.RequestServices.GetRequiredService<WebSocketAcceptor>().AcceptAsync(context)
            : Results.Text("Expected a WebSocket upgrade.\n", statusCode: StatusCodes.Status426UpgradeRequired).ExecuteAsync(context));
    }
}
