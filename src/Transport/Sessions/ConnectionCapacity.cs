using Microsoft.Extensions.Options;
using ProxChat.Transport.Signaling;

namespace ProxChat.Transport.Sessions;

/// <summary>
/// Whether the node holds <see cref="ProxChatOptions.MaxConnections"/>: then <see cref="UpgradeGate"/>
/// turns new connections away, raw WebSocket and hub alike, with 503 and Retry-After before the
/// upgrade, so a client or balancer tries another node; and the node reports not ready meanwhile
/// (the Host's readiness check), so a balancer stops sending players here until some leave.
/// </summary>
public sealed class ConnectionCapacity(ConnectionSet connections, IOptions<ProxChatOptions> options)
{
    /// <summary><see cref="ProxChatOptions.MaxConnections"/>; 0 for no limit.</summary>
    public int MaxConnections => options.Value.MaxConnections;

    /// <summary>The node holds <see cref="MaxConnections"/> connections and must refuse more.</summary>
    public bool IsFull => MaxConnections > 0 && connections.Count >= MaxConnections;
}
