using Microsoft.Extensions.Logging;
using ProxChat.Transport.Protocol;
using ProxChat.Transport.Sessions;
using ProxChat.Transport.Signaling;
using StackExchange.Redis;

namespace ProxChat.Transport.Cluster;

/// <summary>
/// Delivery across nodes: straight to a local connection when the client is here, otherwise one
/// script that looks the client up in the directory and publishes to its node's bus channel.
/// Everything goes through the one multiplexer in order, so messages from one sender to one
/// target keep their order across nodes.
/// </summary>
public sealed partial class RedisMessageDelivery(
    RedisNode node,
    ClientRegistry registry,
    PeerViews views,
    RedisOwnerProbe ownerProbe,
    Diagnostics.ProxChatMetrics metrics,
    ILogger<RedisMessageDelivery> logger) : IMessageDelivery
{
    private readonly LocalMessageDelivery _local = new(registry);

    public async ValueTask<Delivery> DeliverAsync(string clientId, ServerMessage message, CancellationToken cancellationToken)
    {
        // Sets of this node's clients are already in their views: the presence store records them
        // as soon as a script returns.
        var here = TryDeliverHere(clientId, message);
        if (here != Delivery.NotFound)
        {
            return here;
        }

        // Set changes and ICE candidates need no answer (a set carries its version and a lost one
        // heals at the next reintroduction; a candidate to nobody is dropped anyway), so they are
        // pipelined. Offers and answers wait to learn whether the target exists.
        var needsAnswer = message.Kind is ServerMessageKind.ReceiveOffer or ServerMessageKind.ReceiveAnswer;
        var keys = node.Keys;
        try
        {
            var deliver = node.Database.ScriptEvaluateAsync(
                RedisScripts.Deliver,
                [keys.Client(clientId)],
                [keys.BusPrefix, BusMessage.Serialize(clientId, message)],
                needsAnswer ? CommandFlags.None : CommandFlags.FireAndForget);
            return !needsAnswer || (int)await deliver.WaitAsync(cancellationToken).ConfigureAwait(false) == 1 ? Delivery.Delivered : Delivery.NotFound;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            throw new Presence.PresenceUnavailableException("Redis is unavailable.", exception) { MayHaveBeenApplied = exception is TimeoutException };
        }
    }

    /// <summary>Handles a message from another node's bus, in the order they were published.</summary>
    internal void OnBusMessage(ReadOnlyMemory<byte> payload)
    {
        BusMessage? message;
        try
        {
            message = BusMessage.Deserialize(payload);
        }
        catch (System.Text.Json.JsonException exception)
        {
            Log.BadBusMessage(logger, exception);
            return;
        }

        if (message is null)
        {
            return;
        }

        if (message.ProbeRequest is not null)
        {
            ownerProbe.OnProbe(message);
            return;
        }

        if (message.ReplacedConnection is { } replaced)
        {
            if (registry.TryGet(message.ClientId, out var connection, out _) && connection.Id == replaced)
            {
                Log.TakenOverRemotely(logger, message.ClientId, replaced);
                metrics.Takeover(TakeoverArbiter.Replaced);
                connection.Close(CloseCodes.Replaced, CloseCodes.ReplacedReason);
            }

            return;
        }

        // The client may have left this node since it was looked up; its new node has its state,
        // and the view of a client no longer here is not kept.
        var serverMessage = message.ToServerMessage();
        if (serverMessage.Kind == ServerMessageKind.NearbyPeers)
        {
            views.Update(message.ClientId, serverMessage.Peers);
        }

        if (TryDeliverHere(message.ClientId, serverMessage) == Delivery.TargetBusy && serverMessage.Kind != ServerMessageKind.ReceiveIceCandidate)
        {
            // The sender is on another node: it hears that the target is busy as it would here.
            // Candidates are dropped silently, as everywhere.
            _ = DeliverAsync(serverMessage.SenderId!, ServerMessage.Error(ProtocolErrors.TargetBusy(message.ClientId)), CancellationToken.None).AsTask();
        }
    }

    private Delivery TryDeliverHere(string clientId, in ServerMessage message)
    {
        if (message.OnLink)
        {
            // Before the client can see the relay, so its answer never finds the door shut.
            views.AdmitRepliesFrom(clientId, message.SenderId!);
        }

        return _local.TryDeliver(clientId, message);
    }

    private static partial class Log
    {
        [LoggerMessage(50, LogLevel.Warning, "Ignored a malformed message on the cluster bus.")]
        public static partial void BadBusMessage(ILogger logger, Exception exception);

        [LoggerMessage(51, LogLevel.Debug, "Client {ClientId} on connection {ConnectionId} was taken over on another node.")]
        public static partial void TakenOverRemotely(ILogger logger, string clientId, long connectionId);
    }
}
