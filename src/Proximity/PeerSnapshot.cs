namespace ProxChat.Proximity;

/// <summary>
/// A client's complete nearby set at one moment. <see cref="Version"/> grows with every change to
/// the set, so a receiver can drop a snapshot that was overtaken by a newer one on the way.
/// </summary>
public readonly record struct PeerSnapshot(string[] PeerIds, long Version)
{
    public static PeerSnapshot Empty { get; } = new([], 0);
}
