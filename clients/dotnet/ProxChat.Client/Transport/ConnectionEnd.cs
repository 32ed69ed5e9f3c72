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

    /// <param name="code">Null for a close frame without a code (1005 on the wire), a reason this client cannot know.</param>
    /// <param name="description">The close frame's reason text.</param>
    public static ConnectionEnd Closed(int? code, string? description) =>
        new(code is { } known ? CloseReasons.FromCloseCode(known) : CloseReason.Unknown, code, description, null);

    public static ConnectionEnd Lost(Exception? exception) => new(CloseReason.ConnectionLost, null, null, exception);

    public static ConnectionEnd Failed(ProxChatConnectException exception) => new(exception.Reason, null, null, exception);

    /// <summary>The same end, as the application's own doing (it asked to disconnect).</summary>
    public ConnectionEnd AsClientClosed() => new(CloseReason.ClientClosed, CloseCode, Description, Exception);
}
