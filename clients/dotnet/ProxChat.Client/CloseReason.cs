namespace ProxChat.Client;

/// <summary>Why a connection to the server ended, from its WebSocket close code or from how it failed.</summary>
public enum CloseReason
{
    /// <summary>A close code this client does not know. The client reconnects.</summary>
    Unknown,

    /// <summary>1000: the server closed normally (it answers <c>Disconnect</c> so).</summary>
    Normal,

    /// <summary>1001 (also 1012, 1013): the node is shutting down or restarting. The client reconnects, possibly to another node.</summary>
    GoingAway,

    /// <summary>1002, 1003, 1007: the server saw a WebSocket protocol error. The client reconnects.</summary>
    ProtocolError,

    /// <summary>1008: the client kept sending bad input past the server's limit. The client does not reconnect.</summary>
    PolicyViolation,

    /// <summary>1009: a message was larger than the server's MaxMessageBytes. The client reconnects.</summary>
    MessageTooBig,

    /// <summary>1011: the server failed. The client reconnects.</summary>
    InternalError,

    /// <summary>4000: a newer connection registered the same client id. The client does not reconnect.</summary>
    Replaced,

    /// <summary>4001: no <c>UpdatePosition</c> reached the server within its ClientTimeout. The client reconnects.</summary>
    Timeout,

    /// <summary>4002: the client did not read its messages fast enough. The client reconnects.</summary>
    SendQueueFull,

    /// <summary>4003: an operator kicked the client. The client does not reconnect.</summary>
    Kicked,

    /// <summary>4004: the client is banned. The client does not reconnect.</summary>
    Banned,

    /// <summary>The connection broke without a close frame (network failure, server process gone). The client reconnects.</summary>
    ConnectionLost,

    /// <summary>
    /// HTTP 401 at the upgrade: the token is missing, invalid or expired. The client reconnects only
    /// when it has an <see cref="ProxChatClientOptions.AccessTokenProvider"/> to ask for a fresh token.
    /// Reported on net8.0 and later; on netstandard2.1 the runtime does not tell the status, and a
    /// refused upgrade is <see cref="ConnectFailed"/>.
    /// </summary>
    Unauthorized,

    /// <summary>HTTP 403 at the upgrade (an Origin the server does not allow). The client does not reconnect. net8.0 and later only, as <see cref="Unauthorized"/>.</summary>
    Forbidden,

    /// <summary>The connection could not be opened (refused, timed out, HTTP error other than 401/403). The client keeps trying.</summary>
    ConnectFailed,

    /// <summary>The application ended the connection (<see cref="ProxChatClient.DisconnectAsync"/> or disposal).</summary>
    ClientClosed,
}
