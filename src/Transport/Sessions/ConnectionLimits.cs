using ProxChat.Transport.Signaling;

namespace ProxChat.Transport.Sessions;

/// <summary>One connection's budgets: what it may have acted on, and how much bad input it may send.</summary>
public sealed class ConnectionLimits
{
    /// <summary>
    /// Invalid messages a connection may send in a burst, then a second, sustained: each is
    /// answered with an Error, so without a bound a flood of them would fill the connection's own
    /// send queue and drop it without a close frame. A buggy client that sends an unknown type
    /// now and then stays well inside it.
    /// </summary>
    public const int InvalidMessageBurst = 100;

    public const int InvalidMessagesPerSecond = 10;

    /// <summary>Relay bytes one connection may send at once after a pause, as multiples of MaxMessageBytes.</summary>
    public const int RelayByteBurstMessages = 16;

    private ConnectionLimits(MessageRateLimit? messages, MessageRateLimit? relayBytes, MessageRateLimit? invalidMessages)
    {
        Messages = messages;
        RelayBytes = relayBytes;
        InvalidMessages = invalidMessages;
    }

    /// <summary>No limits at all, for tests of other rules.</summary>
    public static ConnectionLimits None { get; } = new(null, null, null);

    /// <summary>Messages other than moves (<see cref="ProxChatOptions.MessageRateLimit"/>); null for no limit.</summary>
    public MessageRateLimit? Messages { get; }

    /// <summary>Bytes of relayed payloads (<see cref="ProxChatOptions.RelayBytesPerSecond"/>); null for no limit.</summary>
    public MessageRateLimit? RelayBytes { get; }

    /// <summary>Messages answered with an Error for being invalid; past it the connection is closed with 1008.</summary>
    public MessageRateLimit? InvalidMessages { get; }

    public static ConnectionLimits Create(ProxChatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ConnectionLimits(
            MessageRateLimit.Create(options.MessageRateLimit, options.MessageBurst),
            MessageRateLimit.Create(options.RelayBytesPerSecond, Math.Max(options.MaxMessageBytes * RelayByteBurstMessages, options.RelayBytesPerSecond)),
            MessageRateLimit.Create(InvalidMessagesPerSecond, InvalidMessageBurst));
    }
}
