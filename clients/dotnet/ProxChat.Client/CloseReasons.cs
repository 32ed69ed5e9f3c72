namespace ProxChat.Client;

/// <summary>Maps close codes and HTTP statuses to <see cref="CloseReason"/>, and says which reasons allow a reconnect.</summary>
internal static class CloseReasons
{
    public static CloseReason FromCloseCode(int code) => code switch
    {
        1000 => CloseReason.Normal,
        1001 or 1012 or 1013 => CloseReason.GoingAway,
        1002 or 1003 or 1007 => CloseReason.ProtocolError,
        1006 => CloseReason.ConnectionLost,
        1008 => CloseReason.PolicyViolation,
        1009 => CloseReason.MessageTooBig,
        1011 => CloseReason.InternalError,
        4000 => CloseReason.Replaced,
        4001 => CloseReason.Timeout,
        4002 => CloseReason.SendQueueFull,
        4003 => CloseReason.Kicked,
        4004 => CloseReason.Banned,
        _ => CloseReason.Unknown,
    };

    public static CloseReason FromHttpStatus(int? status) => status switch
    {
        401 => CloseReason.Unauthorized,
        403 => CloseReason.Forbidden,
        _ => CloseReason.ConnectFailed,
    };

    /// <summary>
    /// Whether an automatic reconnect can help. A replaced, kicked, banned or refused client would
    /// only come back to the same verdict (or, when replaced, take its id back from the newer
    /// connection); an unauthorized one can succeed only with a fresh token.
    /// </summary>
    public static bool AllowsReconnect(CloseReason reason, bool canRenewToken) => reason switch
    {
        CloseReason.Replaced or CloseReason.Kicked or CloseReason.Banned or CloseReason.PolicyViolation
            or CloseReason.Forbidden or CloseReason.ClientClosed => false,
        CloseReason.Unauthorized => canRenewToken,
        _ => true,
    };
}
