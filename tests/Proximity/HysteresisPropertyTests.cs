using ProxChat.Proximity;

namespace ProxChat.Proximity.Tests;

/// <summary>
/// Seeded random walks against a brute-force model: after every operation the world's links must
/// equal the hysteresis rule re-applied to every pair, be symmetric, and the reported changes must
/// be exactly the clients whose sets changed, each with its new set.
/// </summary>
public class HysteresisPropertyTests
{
    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (var seed = 1; seed <= 40; seed++)
        {
            seeds.Add(seed);
        }

        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_walks_match_brute_force(int seed)
    {
        var random = new Random(seed);
        var introduction = random.Next(0, 30);
        var disconnection = introduction + random.Next(0, 15);
        var f = new WorldFixture(introduction, disconnection);
        var partitions = new[] { new Partition(0, 0, 0), new Partition(0, 1, 0), new Partition(7, 0, 0) };
        var extent = random.Next(20, 200); // small worlds are crowded, large ones sparse
        var model = new BruteForceModel(introduction, disconnection);
        var ids = Enumerable.Range(0, random.Next(2, 40)).Select(i => $"c{i}").ToArray();
        var removed = new HashSet<string>();

        for (var step = 0; step < 600; step++)
        {
            var id = ids[random.Next(ids.Length)];
            if (removed.Contains(id))
            {
                continue;
            }

            Dictionary<string, string[]> reported;
            Dictionary<string, HashSet<string>> before = model.Copy();
            if (random.Next(40) == 0)
            {
                reported = f.Remove(id);
                model.Remove(id);
                removed.Add(id);
            }
            else
            {
                var partition = random.Next(12) == 0 ? partitions[random.Next(partitions.Length)] : model.PartitionOf(id) ?? partitions[0];
                var current = model.PositionOf(id);
                var (x, y) = current is { } p && random.Next(4) != 0
                    ? (p.X + random.Next(-15, 16), p.Y + random.Next(-15, 16))
                    : (random.Next(-extent, extent), random.Next(-extent, extent));
                reported = f.Place(id, x, y, partition);
                model.Place(id, new Location(partition, x, y));
            }

            var expectedChanged = model.ChangedSince(before).Where(c => !removed.Contains(c)).ToHashSet();
            Assert.Equal(expectedChanged.Order(), reported.Keys.Order());
            foreach (var (client, peers) in reported)
            {
                Assert.Equal(model.Links(client).Order(StringComparer.Ordinal), peers);
            }
        }

        foreach (var id in ids.Where(id => !removed.Contains(id)))
        {
            var peers = f.Peers(id);
            Assert.Equal(model.Links(id).Order(StringComparer.Ordinal), peers);
            foreach (var peer in peers)
            {
                Assert.Contains(id, f.Peers(peer));
            }
        }
    }

    [Fact]
    public async Task Concurrent_walks_leave_symmetric_links_that_obey_both_ranges()
    {
        var f = new WorldFixture();
        var partitions = new[] { new Partition(0, 0, 0), new Partition(0, 0, 1) };
        var final = new Location[64];
        var members = Enumerable.Range(0, final.Length).Select(i => new ProximityMember($"c{i}")).ToArray();
        var lastSeen = new Dictionary<string, PeerSnapshot>[4];

        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            var random = new Random(worker);
            var seen = lastSeen[worker] = [];
            for (var step = 0; step < 20_000; step++)
            {
                // Each worker owns every fourth member, so each member's final position is known.
                var index = (random.Next(final.Length / 4) * 4) + worker;
                var location = new Location(partitions[random.Next(20) == 0 ? 1 : 0], random.Next(-60, 60), random.Next(-60, 60));
                final[index] = location;
                foreach (var change in f.World.Place(members[index], location))
                {
                    if (!seen.TryGetValue(change.ClientId, out var previous) || previous.Version < change.Snapshot.Version)
                    {
                        seen[change.ClientId] = change.Snapshot;
                    }
                }
            }
        })));

        for (var i = 0; i < members.Length; i++)
        {
            var snapshot = f.World.Snapshot(members[i]);
            var peers = snapshot.PeerIds.ToHashSet();
            for (var j = 0; j < members.Length; j++)
            {
                if (i == j)
                {
                    continue;
                }

                var (a, b) = (final[i], final[j]);
                var samePartition = a.Partition == b.Partition;
                if (samePartition && ProximityRanges.IsWithin(a.X, a.Y, b.X, b.Y, 20))
                {
                    Assert.Contains(members[j].Id, peers);
                }

                if (peers.Contains(members[j].Id))
                {
                    Assert.True(samePartition && ProximityRanges.IsWithin(a.X, a.Y, b.X, b.Y, 25));
                    Assert.Contains(members[i].Id, f.World.Snapshot(members[j]).PeerIds);
                }
            }

            // The newest snapshot any worker was handed is the member's final set.
            var newest = lastSeen.Select(s => s.GetValueOrDefault(members[i].Id)).MaxBy(s => s.Version);
            if (newest.PeerIds is not null)
            {
                Assert.Equal(snapshot.Version, newest.Version);
                Assert.Equal(peers.Order(), newest.PeerIds.Order());
            }
        }
    }

    private sealed class BruteForceModel(int introduction, int disconnection)
    {
        private readonly Dictionary<string, Location> _positions = [];
        private readonly Dictionary<string, HashSet<string>> _links = [];

        public Partition? PartitionOf(string id) => _positions.TryGetValue(id, out var l) ? l.Partition : null;

        public Location? PositionOf(string id) => _positions.TryGetValue(id, out var l) ? l : null;

        public HashSet<string> Links(string id) => _links.GetValueOrDefault(id) ?? [];

        public Dictionary<string, HashSet<string>> Copy() => _links.ToDictionary(kv => kv.Key, kv => kv.Value.ToHashSet());

        public IEnumerable<string> ChangedSince(Dictionary<string, HashSet<string>> before) =>
            before.Keys.Union(_links.Keys).Where(id => !(before.GetValueOrDefault(id) ?? []).SetEquals(Links(id)));

        public void Remove(string id)
        {
            _positions.Remove(id);
            Recompute();
        }

        public void Place(string id, Location location)
        {
            _positions[id] = location;
            Recompute();
        }

        // The rule applied to every pair, from the previous links: the definition, not the algorithm.
        private void Recompute()
        {
            var next = new Dictionary<string, HashSet<string>>();
            foreach (var (a, la) in _positions)
            {
                foreach (var (b, lb) in _positions)
                {
                    if (a == b || la.Partition != lb.Partition)
                    {
                        continue;
                    }

                    var wasLinked = Links(a).Contains(b);
                    if (ProximityRanges.IsWithin(la.X, la.Y, lb.X, lb.Y, wasLinked ? disconnection : introduction))
                    {
                        (next.TryGetValue(a, out var set) ? set : next[a] = []).Add(b);
                    }
                }
            }

            _links.Clear();
            foreach (var (id, set) in next)
            {
                _links[id] = set;
            }
        }
    }
}
