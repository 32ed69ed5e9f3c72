namespace ProxChat.Client;

/// <summary><c>NearbyPeers</c>: the complete current set of clients near this one (not a change list), never including itself.</summary>
public sealed class NearbyPeersEventArgs : EventArgs
{
    internal NearbyPeersEventArgs(IReadOnlyList<string> peerIds) => PeerIds = peerIds;

    /// <summary>The nearby clients' ids.</summary>
    public IReadOnlyList<string> PeerIds { get; }
}

/// <summary><c>ReceiveOffer</c>: a peer's WebRTC offer, relayed verbatim.</summary>
public sealed class OfferReceivedEventArgs : EventArgs
{
    internal OfferReceivedEventArgs(string senderId, string offer)
    {
        SenderId = senderId;
        Offer = offer;
    }

    /// <summary>The sender's registered id (set by the server, not by the sender).</summary>
    public string SenderId { get; }

    /// <summary>The offer as the sender sent it (usually SDP, or JSON holding it).</summary>
    public string Offer { get; }
}

/// <summary><c>ReceiveAnswer</c>: a peer's WebRTC answer, relayed verbatim.</summary>
public sealed class AnswerReceivedEventArgs : EventArgs
{
    internal AnswerReceivedEventArgs(string senderId, string answer)
    {
        SenderId = senderId;
        Answer = answer;
    }

    /// <summary>The sender's registered id.</summary>
    public string SenderId { get; }

    /// <summary>The answer as the sender sent it.</summary>
    public string Answer { get; }
}

/// <summary><c>ReceiveIceCandidate</c>: a peer's ICE candidate, relayed verbatim.</summary>
public sealed class IceCandidateReceivedEventArgs : EventArgs
{
    internal IceCandidateReceivedEventArgs(string senderId, string candidate)
    {
        SenderId = senderId;
        Candidate = candidate;
    }

    /// <summary>The sender's registered id.</summary>
    public string SenderId { get; }

    /// <summary>The candidate as the sender sent it.</summary>
    public string Candidate { get; }
}

/// <summary>
/// <c>IceServers</c>: STUN/TURN servers for this client's peer connections, with short-lived TURN
/// credentials. Sent in answer to <see cref="ProxChatClient.RequestIceServersAsync"/> and pushed
/// again, fresh, before the credentials expire: hand each set to the WebRTC stack (e.g. setConfiguration).
/// </summary>
public sealed class IceServersEventArgs : EventArgs
{
    internal IceServersEventArgs(IReadOnlyList<IceServer> iceServers, int ttlSeconds)
    {
        IceServers = iceServers;
        TtlSeconds = ttlSeconds;
    }

    /// <summary>The servers, in the server's order.</summary>
    public IReadOnlyList<IceServer> IceServers { get; }

    /// <summary>How long the credentials are valid, in seconds.</summary>
    public int TtlSeconds { get; }
}

/// <summary>One STUN or TURN server, as WebRTC's RTCIceServer.</summary>
public sealed class IceServer
{
    internal IceServer(IReadOnlyList<string> urls, string? username, string? credential)
    {
        Urls = urls;
        Username = username;
        Credential = credential;
    }

    /// <summary>The server's URLs (stun:, turn:, turns:).</summary>
    public IReadOnlyList<string> Urls { get; }

    /// <summary>The TURN user name (<c>&lt;unix expiry&gt;:&lt;client id&gt;</c>); null for STUN.</summary>
    public string? Username { get; }

    /// <summary>The TURN password; null for STUN.</summary>
    public string? Credential { get; }
}
