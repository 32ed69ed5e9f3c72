using ProxChat.Transport.Protocol;

namespace ProxChat.Transport.Signaling;

/// <summary>Delivery on a single node: straight into the owning connection's send queue.</summary>
public sealed class LocalMessageDelivery(ClientRegistry registry) : IMessageDelivery
{
    public ValueTask<Delivery> DeliverAsync(string clientId, ServerMessage message, CancellationToken cancellationToken) =>
        ValueTask.FromResult(TryDeliver(clientId, message));

    /// <summary>Hands a message to this node's connection for the client, if it has one.</summary>
    public Delivery TryDeliver(string clientId, in ServerMessage message)
    {
        if (!registry.TryGet(clientId, out var connection, out _))
        {
            return Delivery.NotFound;
        }

        if (message.IsRelay)
        {
            return connection.TrySendRelay(message) ? Delivery.Delivered : Delivery.TargetBusy;
        }

        connection.Send(message);
        return Delivery.Delivered;
    }
}
