namespace ProxChat.Client;

/// <summary>What kind of trouble a <see cref="ProxChatClient.Error"/> reports. None of them ends the connection by itself.</summary>
public enum ProxChatErrorKind
{
    /// <summary>The server's <c>Error</c> message: something this client sent was refused (e.g. "Client bob not found").</summary>
    Server,

    /// <summary>A message from the server that is not valid JSON, not an object, a binary frame, or lacks fields its type needs. Dropped.</summary>
    InvalidMessage,

    /// <summary>A well-formed message of a type this version of the client does not know (from a newer server). Dropped.</summary>
    UnknownMessageType,

    /// <summary>A message larger than <see cref="ProxChatClientOptions.MaxReceiveMessageBytes"/>. Dropped.</summary>
    MessageTooLarge,

    /// <summary>A reconnect attempt failed; the client tries again unless <see cref="ProxChatClient.Closed"/> follows.</summary>
    ConnectFailed,

    /// <summary>An application event handler threw; the client carried on.</summary>
    HandlerFailed,
}

/// <summary>A problem the client met and survived: the server's <c>Error</c> message, bad input from the server, a failed reconnect attempt or a failing handler.</summary>
public sealed class ProxChatErrorEventArgs : EventArgs
{
    internal ProxChatErrorEventArgs(ProxChatErrorKind kind, string message, string? rawMessage = null, Exception? exception = null)
    {
        Kind = kind;
        Message = message;
        RawMessage = rawMessage;
        Exception = exception;
    }

    /// <summary>What kind of problem.</summary>
    public ProxChatErrorKind Kind { get; }

    /// <summary>The server's text for <see cref="ProxChatErrorKind.Server"/>; otherwise the client's description.</summary>
    public string Message { get; }

    /// <summary>The offending message as received (at most 4 KiB of it), for the kinds about server input.</summary>
    public string? RawMessage { get; }

    /// <summary>The exception behind it, if one was thrown.</summary>
    public Exception? Exception { get; }
}
