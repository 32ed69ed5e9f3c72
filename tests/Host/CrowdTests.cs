using ProxChat.Proximity;

namespace ProxChat.Host.Tests;

public class CrowdTests
{
    private const int Introduction = 20;
    private const int Disconnection = 25;

    [Fact]
    public async Task Every_client_in_a_crowd_of_250_hears_exactly_the_brute_force_set()
    {
        await using var server = await TestServer.StartAsync();
        await AssertCrowdHearsBruteForceAsync([server], 250);
    }

    /// <summary>
    /// Two rounds of a crowd moving at once, client i on node i mod n, half on each of two maps:
    /// every client must end up told exactly the set brute force computes.
    /// </summary>
    /// <param name="secondRound">Sends the second round's moves when called; may surround them with trouble.</param>
    internal static async Task AssertCrowdHearsBruteForceAsync(IReadOnlyList<TestServer> nodes, int count, Func<Func<Task>, Task>? secondRound = null)
    {
        var random = new Random(7);
        var ids = Enumerable.Range(0, count).Select(i => $"p{i}").ToArray();
        var clients = await Task.WhenAll(ids.Select((_, i) => TestClient.ConnectAsync(nodes[i % nodes.Count])));
        try
        {
            // Two rounds at positions where no pair sits between the two ranges, so the expected
            // sets do not depend on the order in which the server saw the moves.
            for (var round = 0; round < 2; round++)
            {
                var positions = PlaceWithoutBandPairs(random, ids.Length, extent: 400);
                Task MoveAll() => Task.WhenAll(clients.Select((c, i) => c.MoveAsync(ids[i], positions[i].X, positions[i].Y, mapId: 1 + (i % 2))));
                await (round == 1 && secondRound is not null ? secondRound(MoveAll) : MoveAll());
                var expected = BruteForce(ids, positions);

                await WaitUntilConvergedAsync(() => clients.Select((c, i) => c.LatestPeers is { } latest && latest.SequenceEqual(expected[i])).All(ok => ok), () =>
                {
                    var wrong = clients.Select((c, i) => (Id: ids[i], Latest: c.LatestPeers, Expected: expected[i])).Where(x => x.Latest is null || !x.Latest.SequenceEqual(x.Expected)).ToList();
                    return $"round {round}: {wrong.Count} of {count} clients hold the wrong set, e.g. " +
                        string.Join("; ", wrong.Take(3).Select(x => $"{x.Id} has [{string.Join(",", x.Latest ?? [])}] expected [{string.Join(",", x.Expected)}]"));
                });

                foreach (var (client, i) in clients.Select((c, i) => (c, i)))
                {
                    client.DiscardReceived();
                    Assert.Equal(expected[i], await client.RefreshAsync());
                }
            }
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    private static (int X, int Y)[] PlaceWithoutBandPairs(Random random, int count, int extent)
    {
        var placed = new List<(int X, int Y)>();
        while (placed.Count < count)
        {
            var candidate = (X: random.Next(extent), Y: random.Next(extent));
            var index = placed.Count;
            var clear = placed.Select((p, i) => (p, i)).All(other =>
                other.i % 2 != index % 2 // another map
                || ProximityRanges.IsWithin(candidate.X, candidate.Y, other.p.X, other.p.Y, Introduction)
                || !ProximityRanges.IsWithin(candidate.X, candidate.Y, other.p.X, other.p.Y, Disconnection));
            if (clear)
            {
                placed.Add(candidate);
            }
        }

        return [.. placed];
    }

    private static string[][] BruteForce(string[] ids, (int X, int Y)[] positions) =>
        [.. ids.Select((_, i) => ids
            .Where((_, j) => j != i && j % 2 == i % 2 && ProximityRanges.IsWithin(positions[i].X, positions[i].Y, positions[j].X, positions[j].Y, Introduction))
            .Order(StringComparer.Ordinal)
            .ToArray())];

    private static Task WaitUntilConvergedAsync(Func<bool> condition, Func<string> describe) =>
        Eventually.HoldsAsync(condition, TestClient.Deadline, () => $"the crowd did not converge: {describe()}");
}
