using ProxChat.Transport.Protocol;

namespace ProxChat.Transport.Signaling;

/// <summary>
/// "Send this message to client X", wherever X is connected. Messages to one client from one
/// caller arrive in the order they were handed over.
/// </summary>
public interface IMessageDelivery
{
    /// <returns>False when no connection currently owns <paramref name="clientId"/>.</returns>
    ValueTask<bool> DeliverAsync(string clientId, ServerMessage message, CancellationToken cancellationToken);
}
