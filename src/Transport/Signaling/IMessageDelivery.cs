using ProxChat.Transport.Protocol;

namespace ProxChat.Transport.Signaling;

/// <summary>
/// "Send this message to client X", wherever X is connected. Messages to one client from one
/// caller arrive in the order they were handed over.
/// </summary>
public interface IMessageDelivery
{
    ValueTask<Delivery> DeliverAsync(string clientId, ServerMessage message, CancellationToken cancellationToken);
}

public enum Delivery
{
    /// <summary>Queued for the client's connection, or handed to the node that holds it.</summary>
    Delivered,

    /// <summary>No connection currently owns the client.</summary>
    NotFound,

    /// <summary>
    /// A relay the target's send queue has no room for: the target is behind on reading, and its
    /// senders are refused rather than the target dropped. Only relays are refused so.
    /// </summary>
    TargetBusy,
}
