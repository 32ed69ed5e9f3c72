using Microsoft.Extensions.Time.Testing;
using ProxChat.Proximity;

namespace ProxChat.Proximity.Tests;

/// <summary>A world with the default ranges (20/25) and a hand-driven clock.</summary>
internal sealed class WorldFixture
{
    public static readonly Partition Map1 = new(0, 0, 1);

    private readonly Dictionary<string, ProximityMember> _members = [];

    public WorldFixture(int introduction = 20, int disconnection = 25, int graceSeconds = 10)
    {
        World = new ProximityWorld(new ProximityRanges(introduction, disconnection), TimeSpan.FromSeconds(graceSeconds), Clock);
    }

    public FakeTimeProvider Clock { get; } = new();

    public ProximityWorld World { get; }

    public ProximityMember Member(string id)
    {
        if (!_members.TryGetValue(id, out var member))
        {
            member = new ProximityMember(id);
            _members.Add(id, member);
        }

        return member;
    }

    public Dictionary<string, string[]> Place(string id, int x, int y, Partition? partition = null) =>
        ToMap(World.Place(Member(id), new Location(partition ?? Map1, x, y)));

    public Dictionary<string, string[]> Remove(string id) => ToMap(World.Remove(Member(id)));

    public string[] Peers(string id) => [.. World.Snapshot(Member(id)).PeerIds.Order(StringComparer.Ordinal)];

    private static Dictionary<string, string[]> ToMap(IReadOnlyList<PeerChange> changes)
    {
        var map = new Dictionary<string, string[]>();
        foreach (var change in changes)
        {
            Assert.False(map.ContainsKey(change.ClientId), $"{change.ClientId} reported twice in one change");
            map[change.ClientId] = [.. change.Snapshot.PeerIds.Order(StringComparer.Ordinal)];
        }

        return map;
    }
}
