using ProxChat.Client.Transport;

namespace ProxChat.Client;

/// <summary>A connection opened and, if a position was set, registered with it.</summary>
public sealed class ConnectedEventArgs : EventArgs
{
    internal ConnectedEventArgs(bool isReconnect) => IsReconnect = isReconnect;

    /// <summary>True when this connection replaces one that was lost (same client id, last position re-sent).</summary>
    public bool IsReconnect { get; }
}

/// <summary>A connection ended: why, and whether the client is about to reconnect.</summary>
public sealed class DisconnectedEventArgs : EventArgs
{
    internal DisconnectedEventArgs(ConnectionEnd end, bool willReconnect)
    {
        Reason = end.Reason;
        CloseCode = end.CloseCode;
        CloseDescription = end.Description;
        Exception = end.Exception;
        WillReconnect = willReconnect;
    }

    /// <summary>Why it ended.</summary>
    public CloseReason Reason { get; }

    /// <summary>The WebSocket close code the server sent, if it sent one.</summary>
    public int? CloseCode { get; }

    /// <summary>The close reason text the server sent, if any.</summary>
    public string? CloseDescription { get; }

    /// <summary>What broke the connection, when it broke rather than closed.</summary>
    public Exception? Exception { get; }

    /// <summary>True when the client will reconnect by itself; otherwise <see cref="ProxChatClient.Closed"/> follows.</summary>
    public bool WillReconnect { get; }
}

/// <summary>The client stopped for good; <see cref="ProxChatClient.State"/> is <see cref="ProxChatConnectionState.Closed"/>.</summary>
public sealed class ClosedEventArgs : EventArgs
{
    internal ClosedEventArgs(CloseReason reason, int? closeCode, string? closeDescription, Exception? exception)
    {
        Reason = reason;
        CloseCode = closeCode;
        CloseDescription = closeDescription;
        Exception = exception;
    }

    /// <summary>
    /// Why: the application's own <see cref="CloseReason.ClientClosed"/>, a reason that forbids an
    /// automatic reconnect (e.g. <see cref="CloseReason.Replaced"/>), or, when the reconnect
    /// attempts ran out, the reason the last one failed.
    /// </summary>
    public CloseReason Reason { get; }

    /// <summary>The WebSocket close code of the last connection, if the server sent one.</summary>
    public int? CloseCode { get; }

    /// <summary>The close reason text of the last connection, if any.</summary>
    public string? CloseDescription { get; }

    /// <summary>The failure that ended the last connection or attempt, if it failed rather than closed.</summary>
    public Exception? Exception { get; }
}
