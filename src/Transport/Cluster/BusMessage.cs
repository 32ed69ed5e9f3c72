using System.Text.Json;
using System.Text.Json.Serialization;
using ProxChat.Proximity;
using ProxChat.Transport.Protocol;

namespace ProxChat.Transport.Cluster;

/// <summary>
/// What one node publishes to another on its bus channel, as a JSON object. A message of digits
/// alone is a node's probe of its own channel (<see cref="BusSubscription"/>).
/// </summary>
internal sealed class BusMessage
{
    /// <summary>A server message for <see cref="ClientId"/>; or, when <see cref="ReplacedConnection"/> is set, a takeover.</summary>
    [JsonPropertyName("k")]
    public ServerMessageKind Kind { get; set; }

    [JsonPropertyName("c")]
    public string ClientId { get; set; } = string.Empty;

    /// <summary>
    /// A relay's payload or an error's text: one JSON string either way, so nodes of the version
    /// that kept both as <see cref="string"/> read it too, and a rolling upgrade loses nothing.
    /// </summary>
    [JsonPropertyName("t")]
    public RelayPayload Text { get; set; }

    [JsonPropertyName("s")]
    public string? SenderId { get; set; }

    [JsonPropertyName("p")]
    public string[]? Peers { get; set; }

    [JsonPropertyName("v")]
    public long Version { get; set; }

    /// <summary>A relay sent on a link (see <see cref="ServerMessage.OnLink"/>); absent, from nodes before it, reads as false.</summary>
    [JsonPropertyName("l")]
    public bool OnLink { get; set; }

    /// <summary>A newer connection elsewhere took <see cref="ClientId"/> from this node's connection with this id.</summary>
    [JsonPropertyName("r")]
    public long? ReplacedConnection { get; set; }

    public static byte[] Serialize(string clientId, in ServerMessage message) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new BusMessage
            {
                Kind = message.Kind,
                ClientId = clientId,
                Text = message.Kind == ServerMessageKind.Error ? RelayPayload.FromString(message.Text ?? string.Empty) : message.Payload,
                SenderId = message.SenderId,
                Peers = message.Kind == ServerMessageKind.NearbyPeers ? message.Peers.PeerIds : null,
                Version = message.Peers.Version,
                OnLink = message.OnLink,
            },
            BusJsonContext.Default.BusMessage);

    public static byte[] Takeover(string clientId, long replacedConnection) =>
        JsonSerializer.SerializeToUtf8Bytes(new BusMessage { ClientId = clientId, ReplacedConnection = replacedConnection }, BusJsonContext.Default.BusMessage);

    public static BusMessage? Deserialize(ReadOnlySpan<byte> bytes) => JsonSerializer.Deserialize(bytes, BusJsonContext.Default.BusMessage);

    public ServerMessage ToServerMessage() => Kind == ServerMessageKind.Error
        ? ServerMessage.Error(Text.ToString())
        : new(Kind, SenderId: SenderId, Peers: new PeerSnapshot(Peers ?? [], Version), Payload: Text, OnLink: OnLink);
}

[JsonSerializable(typeof(BusMessage))]
internal sealed partial class BusJsonContext : JsonSerializerContext;
