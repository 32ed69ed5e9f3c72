using ProxChat.Proximity;

namespace ProxChat.Transport.Protocol;

public enum ServerMessageKind
{
    NearbyPeers,
    ReceiveOffer,
    ReceiveAnswer,
    ReceiveIceCandidate,
    Error,
    IceServers,
}

/// <summary>
/// A message on its way to a client, kept as a struct so a send queue holds it without a heap
/// object per message. <see cref="Text"/> is an error's text, <see cref="Payload"/> a relay's (or
/// the ICE servers object, written once per request and copied out as it is);
/// <see cref="OnLink"/> marks a relay whose sender had the target in its current set.
/// </summary>
public readonly record struct ServerMessage(
    ServerMessageKind Kind,
    string? Text = null,
    string? SenderId = null,
    PeerSnapshot Peers = default,
    RelayPayload Payload = default,
    bool OnLink = false)
{
    /// <summary>An offer, answer or candidate from another client: what a target's queue may refuse as busy.</summary>
    public bool IsRelay => Kind is ServerMessageKind.ReceiveOffer or ServerMessageKind.ReceiveAnswer or ServerMessageKind.ReceiveIceCandidate;

    public static ServerMessage NearbyPeers(PeerSnapshot snapshot) => new(ServerMessageKind.NearbyPeers, Peers: snapshot);

    public static ServerMessage Error(string text) => new(ServerMessageKind.Error, Text: text);

    /// <summary>The ICE servers object (<c>{"ice_servers":[…],"ttl_seconds":N}</c>) as UTF-8 JSON.</summary>
    public static ServerMessage IceServers(byte[] utf8Json) => new(ServerMessageKind.IceServers, Payload: RelayPayload.FromUtf8Json(utf8Json));

    /// <summary>The message that delivers a client's relay request to its target.</summary>
    public static ServerMessage RelayOf(ClientMessageKind request, string senderId, RelayPayload payload, bool onLink = false) => request switch
    {
        ClientMessageKind.SendOffer => new(ServerMessageKind.ReceiveOffer, SenderId: senderId, Payload: payload, OnLink: onLink),
        ClientMessageKind.SendAnswer => new(ServerMessageKind.ReceiveAnswer, SenderId: senderId, Payload: payload, OnLink: onLink),
        ClientMessageKind.SendIceCandidate => new(ServerMessageKind.ReceiveIceCandidate, SenderId: senderId, Payload: payload, OnLink: onLink),
        _ => throw new ArgumentOutOfRangeException(nameof(request), request, "Not a relay request."),
    };
}
