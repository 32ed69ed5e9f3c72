namespace ProxChat.Proximity;

/// <summary>
/// One client's place in the <see cref="ProximityWorld"/>. Its link set is guarded by the lock of
/// the partition it stands in; which partition that is changes only under <see cref="Gate"/>.
/// </summary>
public sealed class ProximityMember
{
    public ProximityMember(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        Id = id;
    }

    public string Id { get; }

    /// <summary>Serializes the member's own placement, removal and reads of its links.</summary>
    internal Lock Gate { get; } = new();

    internal PartitionSpace? Space { get; set; }

    internal bool IsRemoved { get; set; }

    internal int X { get; set; }

    internal int Y { get; set; }

    /// <summary>Index of this member in its grid cell's list, for O(1) removal.</summary>
    internal int CellSlot { get; set; }

    internal HashSet<ProximityMember> Links { get; } = [];

    internal long Version { get; set; }

    internal RecentUnlinks RecentUnlinks { get; } = new();

    internal PeerSnapshot TakeSnapshot()
    {
        if (Links.Count == 0)
        {
            return new PeerSnapshot([], Version);
        }

        var ids = new string[Links.Count];
        var i = 0;
        foreach (var peer in Links)
        {
            ids[i++] = peer.Id;
        }

        return new PeerSnapshot(ids, Version);
    }
}
