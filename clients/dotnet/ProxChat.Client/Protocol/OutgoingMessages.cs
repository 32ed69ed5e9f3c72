using System.Text.Json;

namespace ProxChat.Client.Protocol;

/// <summary>The client-to-server messages, as the UTF-8 JSON text of one WebSocket frame each.</summary>
internal static class OutgoingMessages
{
    private static readonly ClientJsonContext Json = ClientJsonContext.Wire;

    public static byte[] UpdatePosition(string clientId, PositionUpdate position) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new Envelope<PositionData>("UpdatePosition", new PositionData
            {
                ClientId = clientId,
                MapId = position.MapId,
                X = position.X,
                Y = position.Y,
                Channel = position.Channel,
                GameId = position.GameId,
            }),
            Json.PositionEnvelope);

    public static byte[] SendOffer(string targetId, string offer) =>
        Relay("SendOffer", new RelayRequestData { TargetId = targetId, Offer = offer });

    public static byte[] SendAnswer(string targetId, string answer) =>
        Relay("SendAnswer", new RelayRequestData { TargetId = targetId, Answer = answer });

    public static byte[] SendIceCandidate(string targetId, string candidate) =>
        Relay("SendIceCandidate", new RelayRequestData { TargetId = targetId, Candidate = candidate });

    public static byte[] BlockPeer(string peerId) => Peer("BlockPeer", peerId);

    public static byte[] UnblockPeer(string peerId) => Peer("UnblockPeer", peerId);

    public static byte[] RequestPeerRefresh() => Bare("RequestPeerRefresh");

    public static byte[] RequestIceServers() => Bare("RequestIceServers");

    public static byte[] Disconnect() => Bare("Disconnect");

    private static byte[] Relay(string type, RelayRequestData data) =>
        JsonSerializer.SerializeToUtf8Bytes(new Envelope<RelayRequestData>(type, data), Json.RelayRequestEnvelope);

    private static byte[] Peer(string type, string peerId) =>
        JsonSerializer.SerializeToUtf8Bytes(new Envelope<PeerData>(type, new PeerData { PeerId = peerId }), Json.PeerEnvelope);

    private static byte[] Bare(string type) => JsonSerializer.SerializeToUtf8Bytes(new BareEnvelope(type), Json.BareEnvelope);
}
