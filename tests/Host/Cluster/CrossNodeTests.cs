using ProxChat.Transport.Cluster;
using ProxChat.Transport.Protocol;
using StackExchange.Redis;

namespace ProxChat.Host.Tests.Cluster;

[Collection(RedisTests.Name)]
public sealed class CrossNodeOnRedisTests(RedisFixture redis) : CrossNodeTests(redis.ConnectionString);

/// <summary>The same on a three-master Redis Cluster: every script stays within one slot.</summary>
[Collection(RedisClusterTests.Name)]
public sealed class CrossNodeOnRedisClusterTests(RedisClusterFixture redis) : CrossNodeTests(redis.ConnectionString);

/// <summary>Every protocol rule between clients on different nodes of one Redis.</summary>
public abstract class CrossNodeTests(string redis) : IAsyncLifetime
{
    private readonly string _prefix = RedisFixture.UniquePrefix();
    private TestServer _node1 = null!;
    private TestServer _node2 = null!;

    public async Task InitializeAsync()
    {
        _node1 = await TestServer.StartNodeAsync(redis, _prefix);
        _node2 = await TestServer.StartNodeAsync(redis, _prefix);
    }

    public async Task DisposeAsync()
    {
        await _node1.DisposeAsync();
        await _node2.DisposeAsync();
    }

    [Fact]
    public async Task Clients_on_different_nodes_are_introduced_and_removed_on_both_sides()
    {
        await using var a = await TestClient.JoinAsync(_node1, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(_node2, "b", 20, 0); // its first set, ["a"], is consumed by the join

        await a.ExpectPeersAsync("b");
        Assert.Equal(["a"], await b.RefreshAsync());

        await b.MoveAsync(25, 0); // within the disconnection range: still linked, nobody told
        await b.MoveAsync(26, 0);
        await b.ExpectPeersAsync();
        await a.ExpectPeersAsync();

        await b.MoveAsync(3, 4);
        await b.ExpectPeersAsync("a");
        await a.ExpectPeersAsync("b");

        await b.SendAsync("Disconnect");
        await a.ExpectPeersAsync();
    }

    [Fact]
    public async Task Clients_on_different_nodes_are_reintroduced_periodically_from_redis()
    {
        var prefix = RedisFixture.UniquePrefix();
        await using var node1 = await TestServer.StartNodeAsync(redis, prefix, ("ReintroductionIntervalSeconds", "1"));
        await using var node2 = await TestServer.StartNodeAsync(redis, prefix, ("ReintroductionIntervalSeconds", "1"));
        await using var a = await TestClient.JoinAsync(node1, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(node2, "b", 1, 1);
        await a.WaitForPeersAsync("b");

        // Nothing moves, yet both keep hearing their current set.
        await a.ExpectPeersAsync("b");
        await a.ExpectPeersAsync("b");
        await b.ExpectPeersAsync("a");
        await b.ExpectPeersAsync("a");
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(17_999_970, 8_499_970)]
    [InlineData(-18_000_000, -8_500_000)]
    public async Task Links_are_decided_exactly_at_both_range_boundaries_anywhere_on_the_map(int x, int y)
    {
        await using var a = await TestClient.JoinAsync(_node1, "a", x, y);
        await using var b = await TestClient.JoinAsync(_node2, "b", x + 12, y + 17); // 20.8 away: not introduced
        Assert.Empty(await b.RefreshAsync());

        await b.MoveAsync(x + 12, y + 16); // exactly 20: introduced
        await a.ExpectPeersAsync("b");
        await b.MoveAsync(x + 15, y + 20); // exactly 25: still linked, so no message
        await b.MoveAsync(x + 15, y + 21); // 25.8: unlinked
        await a.ExpectPeersAsync();
        await b.ExpectPeersAsync("a");
        await b.ExpectPeersAsync();
    }

    [Fact]
    public async Task An_abrupt_drop_on_one_node_is_seen_on_the_other()
    {
        await using var a = await TestClient.JoinAsync(_node1, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(_node2, "b", 1, 1);
        await a.WaitForPeersAsync("b");

        b.Abort();

        await a.ExpectPeersAsync();
    }

    [Fact]
    public async Task Relays_cross_nodes_verbatim_and_in_order()
    {
        await using var a = await TestClient.JoinAsync(_node1, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(_node2, "b", 1, 1);
        await a.WaitForPeersAsync("b");
        const string payload = "v=0\r\n\"quoted\" \\ ünïcödé 🎧 \u2028";

        await a.SendRelayAsync("SendOffer", "b", "offer", payload);
        var offer = await b.ExpectAsync("ReceiveOffer");
        Assert.Equal("a", offer.SenderId);
        Assert.Equal(payload, offer.Data!["offer"]!.GetValue<string>());

        // All in one burst, as many as MessageBurst (200) lets through at once.
        for (var i = 0; i < 150; i++)
        {
            await a.SendRelayAsync("SendIceCandidate", "b", "candidate", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        for (var i = 0; i < 150; i++)
        {
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), (await b.ExpectAsync("ReceiveIceCandidate")).Data!["candidate"]!.GetValue<string>());
        }

        await b.SendRelayAsync("SendAnswer", "a", "answer", "ok");
        Assert.Equal("b", (await a.ExpectAsync("ReceiveAnswer")).SenderId);
    }

    [Fact]
    public async Task A_node_keeps_relay_views_only_for_its_own_connected_clients()
    {
        var views1 = _node1.Get<PeerViews>();
        var views2 = _node2.Get<PeerViews>();
        await using var a = await TestClient.JoinAsync(_node1, "a", 0, 0);
        await using var c = await TestClient.JoinAsync(_node1, "c", 2, 0);
        await using var b = await TestClient.JoinAsync(_node2, "b", 1, 1);
        await a.WaitForPeersAsync("b", "c");
        await a.SendRelayAsync("SendOffer", "b", "offer", "o");
        await b.ExpectAsync("ReceiveOffer");

        // Node 1 holds a and c; node 2 only b, although placing b there returned sets for a and c.
        Assert.Equal(2, views1.Count);
        Assert.Equal(1, views2.Count);

        await b.SendAsync("Disconnect");
        a.Abort();
        await c.WaitForPeersAsync();
        await Eventually.HoldsAsync(() => views1.Count == 1 && views2.Count == 0, TestClient.Deadline, () => $"views: node 1 {views1.Count}, node 2 {views2.Count}");
    }

    [Fact]
    public async Task Relay_errors_distinguish_unknown_from_not_nearby_across_nodes()
    {
        await using var a = await TestClient.JoinAsync(_node1, "a", 0, 0);
        await using var far = await TestClient.JoinAsync(_node2, "far", 1000, 1000);

        await a.SendRelayAsync("SendOffer", "far", "offer", "o");
        Assert.Equal("Client far is not nearby", await a.ExpectErrorAsync());
        await a.SendRelayAsync("SendOffer", "ghost", "offer", "o");
        Assert.Equal("Client ghost not found", await a.ExpectErrorAsync());
    }

    [Fact]
    public async Task A_pair_that_walked_apart_may_still_relay_during_the_grace_period()
    {
        await using var a = await TestClient.JoinAsync(_node1, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(_node2, "b", 1, 1);
        await a.WaitForPeersAsync("b");
        await b.MoveAsync(500, 500);
        await a.ExpectPeersAsync();
        await b.ExpectPeersAsync();

        await a.SendRelayAsync("SendAnswer", "b", "answer", "late");

        Assert.Equal("late", (await b.ExpectAsync("ReceiveAnswer")).Data!["answer"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_client_may_answer_a_relay_that_outran_its_own_set()
    {
        await using var a = await TestClient.JoinAsync(_node1, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(_node2, "b", 1000, 1000);
        await b.SendRelayAsync("SendAnswer", "a", "answer", "unasked");
        Assert.Equal("Client a is not nearby", await b.ExpectErrorAsync());

        // A new link's set for b comes from whichever node's script made the link, on another path
        // than a's offer, and can come after it. Here the offer arrives, as a's node publishes one
        // sent on a link, and the set never does.
        await using var redisConnection = await ConnectionMultiplexer.ConnectAsync(redis);
        await redisConnection.GetSubscriber().PublishAsync(
            RedisChannel.Literal($"{_prefix}:bus:{_node2.Get<RedisNode>().NodeId}"),
            """{"k":1,"c":"b","t":"offer","s":"a","l":true}""");
        Assert.Equal("a", (await b.ExpectAsync("ReceiveOffer")).SenderId);

        await b.SendRelayAsync("SendAnswer", "a", "answer", "ok");
        Assert.Equal("ok", (await a.ExpectAsync("ReceiveAnswer")).Data!["answer"]!.GetValue<string>());
    }

    [Fact]
    public async Task Relaying_in_grace_does_not_renew_the_grace_of_a_pair_that_walked_apart()
    {
        var prefix = RedisFixture.UniquePrefix();
        await using var node1 = await TestServer.StartNodeAsync(redis, prefix, ("RelayGraceSeconds", "3"));
        await using var node2 = await TestServer.StartNodeAsync(redis, prefix, ("RelayGraceSeconds", "3"));
        await using var a = await TestClient.JoinAsync(node1, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(node2, "b", 1, 1);
        await a.WaitForPeersAsync("b");
        await b.MoveAsync(500, 500);
        await a.ExpectPeersAsync();
        await b.ExpectPeersAsync();
        var apart = System.Diagnostics.Stopwatch.StartNew();

        // Time itself is under test here: each node's grace began before its client heard of the unlink.
        await Task.Delay(TimeSpan.FromSeconds(1));
        await a.SendRelayAsync("SendAnswer", "b", "answer", "late");
        Assert.Equal("late", (await b.ExpectAsync("ReceiveAnswer")).Data!["answer"]!.GetValue<string>());

        // b's grace is over, and a's answer, sent in grace rather than on a link, did not renew it.
        await Task.Delay(TimeSpan.FromSeconds(3.5) - apart.Elapsed);
        await b.SendRelayAsync("SendAnswer", "a", "answer", "too late");
        Assert.Equal("Client a is not nearby", await b.ExpectErrorAsync());
    }

    [Fact]
    public async Task Registering_a_live_client_on_another_node_is_refused_while_its_connection_answers()
    {
        await using var peer = await TestClient.JoinAsync(_node1, "peer", 0, 0);
        await using var owner = await TestClient.JoinAsync(_node1, "x", 1, 1);
        await peer.WaitForPeersAsync("x");

        await using var impostor = await TestClient.ConnectAsync(_node2);
        await impostor.MoveAsync("x", 2, 2);

        Assert.Equal(ProtocolErrors.ClientIdInUse("x"), await impostor.ExpectErrorAsync());
        await peer.SendRelayAsync("SendOffer", "x", "offer", "hello");
        Assert.Equal("hello", (await owner.ExpectAsync("ReceiveOffer")).Data!["offer"]!.GetValue<string>());
        Assert.Equal(["x"], await peer.RefreshAsync());
        Assert.False(owner.Closed.IsCompleted);
    }

    [Fact]
    public async Task Coordinates_the_geo_mapping_cannot_hold_get_an_error()
    {
        await using var a = await TestClient.ConnectAsync(_node1);

        await a.MoveAsync("a", 18_000_001, 0);

        Assert.Contains("x must be within ±18,000,000", await a.ExpectErrorAsync(), StringComparison.Ordinal);
        await a.MoveAsync("a", -18_000_000, 8_500_000);
        await a.ExpectPeersAsync();
    }

    [Fact]
    public async Task Moving_to_another_map_unlinks_across_nodes_and_cleans_the_old_partition()
    {
        await using var a = await TestClient.JoinAsync(_node1, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(_node2, "b", 1, 1);
        await a.WaitForPeersAsync("b");

        await b.MoveAsync(1, 1, mapId: 2);

        await a.ExpectPeersAsync();
        await b.ExpectPeersAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        var db = connection.GetDatabase();
        Assert.Equal(1, await db.SortedSetLengthAsync($"{_prefix}:{{0:0:1}}:geo"));
        Assert.Equal(1, await db.SortedSetLengthAsync($"{_prefix}:{{0:0:2}}:geo"));

        // b's node listed the old partition beside the new before the move went out: had it died
        // with the move cut off, the reaper would have found b in either.
        var entry = (string)(await db.HashGetAsync($"{_prefix}:node:{_node2.Get<RedisNode>().NodeId}", "b"))!;
        Assert.EndsWith(" 0:0:2 0:0:1", entry, StringComparison.Ordinal);
    }
}

[Collection(RedisTests.Name)]
public sealed class CrossNodeCrowdOnRedisTests(RedisFixture redis) : CrossNodeCrowdTests(redis.ConnectionString);

[Collection(RedisClusterTests.Name)]
public sealed class CrossNodeCrowdOnRedisClusterTests(RedisClusterFixture redis) : CrossNodeCrowdTests(redis.ConnectionString);

/// <summary>A crowd spread over three nodes, moving at once, against brute force.</summary>
public abstract class CrossNodeCrowdTests(string redis)
{
    [Fact]
    public async Task Every_client_of_a_crowd_on_three_nodes_hears_exactly_the_brute_force_set()
    {
        var prefix = RedisFixture.UniquePrefix();
        var nodes = new[]
        {
            await TestServer.StartNodeAsync(redis, prefix),
            await TestServer.StartNodeAsync(redis, prefix),
            await TestServer.StartNodeAsync(redis, prefix),
        };
        try
        {
            await CrowdTests.AssertCrowdHearsBruteForceAsync(nodes, 240);
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }
}
