namespace ProxChat.Transport.Protocol;

public enum ClientMessageKind
{
    UpdatePosition,
    SendOffer,
    SendAnswer,
    SendIceCandidate,
    RequestPeerRefresh,
    Disconnect,
}
