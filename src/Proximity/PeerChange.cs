namespace ProxChat.Proximity;

/// <summary>A client whose nearby set changed, and the set as it is after the change.</summary>
public readonly record struct PeerChange(string ClientId, PeerSnapshot Snapshot);
