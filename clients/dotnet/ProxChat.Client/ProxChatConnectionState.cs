namespace ProxChat.Client;

/// <summary>Where a <see cref="ProxChatClient"/> is in its life.</summary>
public enum ProxChatConnectionState
{
    /// <summary>Never connected, or the first connect failed. <see cref="ProxChatClient.ConnectAsync"/> may be called.</summary>
    Disconnected,

    /// <summary><see cref="ProxChatClient.ConnectAsync"/> is opening the first connection.</summary>
    Connecting,

    /// <summary>A connection is open; sends go out.</summary>
    Connected,

    /// <summary>The connection was lost and the client is waiting to reconnect or reconnecting; sends fail.</summary>
    Reconnecting,

    /// <summary>
    /// Stopped for good: disconnected by the application, closed with a reason that forbids an
    /// automatic reconnect, or out of reconnect attempts. <see cref="ProxChatClient.ConnectAsync"/> may be called again.
    /// </summary>
    Closed,
}
