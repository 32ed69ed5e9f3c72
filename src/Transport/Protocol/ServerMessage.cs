using ProxChat.Proximity;

namespace ProxChat.Transport.Protocol;

public enum ServerMessageKind
{
    NearbyPeers,
    ReceiveOffer,
    ReceiveAnswer,
    ReceiveIceCandidate,
    Error,
}

/// <summary>
/// A message on its way to a client, kept as a struct so a send queue holds it without a heap
/// object per message. <see cref="Text"/> is the relayed payload or the error text.
/// </summary>
public readonly record struct ServerMessage(
    ServerMessageKind Kind,
    string? Text = null,
    string? SenderId = null,
    PeerSnapshot Peers = default)
{
    public static ServerMessage NearbyPeers(PeerSnapshot snapshot) => new(ServerMessageKind.NearbyPeers, Peers: snapshot);

    public static ServerMessage Error(string text) => new(ServerMessageKind.Error, Text: text);

    /// <summary>The message that delivers a client's relay request to its target.</summary>
    public static ServerMessage RelayOf(ClientMessageKind request, string senderId, string payload) => request switch
    {
        ClientMessageKind.SendOffer => new(ServerMessageKind.ReceiveOffer, payload, senderId),
        ClientMessageKind.SendAnswer => new(ServerMessageKind.ReceiveAnswer, payload, senderId),
        ClientMessageKind.SendIceCandidate => new(ServerMessageKind.ReceiveIceCandidate, payload, senderId),
        _ => throw new ArgumentOutOfRangeException(nameof(request), request, "Not a relay request."),
    };
}
