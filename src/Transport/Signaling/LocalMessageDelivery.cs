using ProxChat.Transport.Protocol;

namespace ProxChat.Transport.Signaling;

/// <summary>Delivery on a single node: straight into the owning connection's send queue.</summary>
public sealed class LocalMessageDelivery(ClientRegistry registry) : IMessageDelivery
{
    public ValueTask<bool> DeliverAsync(string clientId, ServerMessage message, CancellationToken cancellationToken)
    {
        if (!registry.TryGet(clientId, out var connection, out _))
        {
            return ValueTask.FromResult(false);
        }

        connection.Send(message);
        return ValueTask.FromResult(true);
    }
}
