using System.Net.WebSockets;

namespace ProxChat.Transport.Sessions;

/// <summary>Why the server closes a connection, as WebSocket close codes clients can act on.</summary>
public static class CloseCodes
{
    /// <summary>The client sent Disconnect.</summary>
    public const WebSocketCloseStatus Normal = WebSocketCloseStatus.NormalClosure;

    /// <summary>The node is shutting down; reconnect (to another node).</summary>
    public const WebSocketCloseStatus GoingAway = WebSocketCloseStatus.EndpointUnavailable;

    /// <summary>The client kept sending invalid messages past its budget.</summary>
    public const WebSocketCloseStatus PolicyViolation = WebSocketCloseStatus.PolicyViolation;

    /// <summary>A message exceeded MaxMessageBytes.</summary>
    public const WebSocketCloseStatus MessageTooBig = WebSocketCloseStatus.MessageTooBig;

    /// <summary>A newer connection registered the same client_id. Do not reconnect automatically.</summary>
    public const WebSocketCloseStatus Replaced = (WebSocketCloseStatus)4000;

    public const string ReplacedReason = "Replaced by a newer connection with the same client_id.";

    /// <summary>No UpdatePosition within ClientTimeout.</summary>
    public const WebSocketCloseStatus Timeout = (WebSocketCloseStatus)4001;

    /// <summary>The client did not read its messages and its send queue overflowed.</summary>
    public const WebSocketCloseStatus SendQueueFull = (WebSocketCloseStatus)4002;
}
