namespace ProxChat.Client.Transport;

/// <summary>How one connection ended.</summary>
internal sealed class ConnectionEnd
{
    private ConnectionEnd(CloseReason reason, int? closeCode, string? description, Exception? exception)
    {
        Reason = reason;
        CloseCode = closeCode;
        Description = description;
        Exception = exception;
    }

    public CloseReason Reason { get; }

    public int? CloseCode { get; }

    public string? Description { get; }

    public Exception? Exception { get; }

    public static ConnectionEnd Closed(int code, string? description) =>
        new(CloseReasons.FromCloseCode(code), code, description, null);

    public static ConnectionEnd Lost(Exception? exception) => new(CloseReason.ConnectionLost, null, null, exception);

    public static ConnectionEnd Failed(ProxChatConnectException exception) => new(exception.Reason, null, null, exception);

    /// <summary>The same end, as the application's own doing (it asked to disconnect).</summary>
    public ConnectionEnd AsClientClosed() => new(CloseReason.ClientClosed, CloseCode, Description, Exception);
}
