using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using ProxChat.Transport.Diagnostics;
using ProxChat.Transport.Protocol;
using ProxChat.Transport.Signaling;

namespace ProxChat.Transport.Sessions;

/// <summary>
/// Turns new connections away, raw WebSocket and hub alike, while the node holds
/// <see cref="ProxChatOptions.MaxConnections"/>: with 503 and Retry-After, before the upgrade, so a
/// client or balancer tries another node. The node also reports not ready meanwhile (the Host's
/// readiness check), so a balancer stops sending players here until some leave.
/// </summary>
public sealed class ConnectionCapacity(ConnectionSet connections, IOptions<ProxChatOptions> options, ProxChatMetrics metrics)
{
    /// <summary><see cref="ProxChatOptions.MaxConnections"/>; 0 for no limit.</summary>
    public int MaxConnections => options.Value.MaxConnections;

    /// <summary>The node holds <see cref="MaxConnections"/> connections and must refuse more.</summary>
    public bool IsFull => MaxConnections > 0 && connections.Count >= MaxConnections;

    /// <returns>True when the request was answered with 503 and must go no further.</returns>
    public async ValueTask<bool> RefuseIfFullAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!IsFull)
        {
            return false;
        }

        metrics.ConnectionRefused();
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "1";
        await context.Response.WriteAsync(ProtocolErrors.NodeFull, context.RequestAborted).ConfigureAwait(false);
        return true;
    }
}
