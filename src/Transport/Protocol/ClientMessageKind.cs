namespace ProxChat.Transport.Protocol;

public enum ClientMessageKind
{
    /// <summary>No recognised type: the envelope itself was malformed.</summary>
    None,
    UpdatePosition,
    SendOffer,
    SendAnswer,
    SendIceCandidate,
    RequestPeerRefresh,
    Disconnect,
    RequestIceServers,
}
