namespace ProxChat.Client;

/// <summary>Opening a connection failed: refused, timed out, or the upgrade was answered with an HTTP error.</summary>
public sealed class ProxChatConnectException : Exception
{
    /// <summary>Creates one without details.</summary>
    public ProxChatConnectException()
        : this("Could not connect to the ProxChat server.")
    {
    }

    /// <summary>Creates one with a message.</summary>
    public ProxChatConnectException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates one with a message and the failure behind it.</summary>
    public ProxChatConnectException(string message, Exception? innerException)
        : this(CloseReason.ConnectFailed, null, message, innerException)
    {
    }

    internal ProxChatConnectException(CloseReason reason, int? httpStatusCode, string message, Exception? innerException)
        : base(message, innerException)
    {
        Reason = reason;
        HttpStatusCode = httpStatusCode;
    }

    /// <summary><see cref="CloseReason.Unauthorized"/>, <see cref="CloseReason.Forbidden"/> or <see cref="CloseReason.ConnectFailed"/>.</summary>
    public CloseReason Reason { get; }

    /// <summary>The HTTP status the server answered the upgrade with, when the runtime tells it (net8.0 and later).</summary>
    public int? HttpStatusCode { get; }
}
