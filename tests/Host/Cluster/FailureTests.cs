using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using ProxChat.Host.Tests.Hubs;
using ProxChat.Transport.Cluster;
using ProxChat.Transport.Diagnostics;
using ProxChat.Transport.Protocol;
using StackExchange.Redis;

namespace ProxChat.Host.Tests.Cluster;

/// <summary>Node death, graceful node stop, Redis restarts and failovers, and a lost subscription, with real processes.</summary>
[Collection(RedisTests.Name)]
public sealed class FailureTests(RedisFixture redis)
{
    private static readonly TimeSpan RecoveryDeadline = TimeSpan.FromSeconds(30);

    /// <summary>How long a node may go without a heartbeat at NodeTimeout 5 s before the others reap it.</summary>
    private static readonly TimeSpan SilenceAtNodeTimeout5 = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task A_killed_node_is_reaped_within_node_timeout_and_leaves_nothing_in_redis()
    {
        var prefix = RedisFixture.UniquePrefix();
        await using var pair = await StartPairWithDoomedNodeAsync(prefix);
        var c = await TestClient.JoinAsync(pair.Doomed, "c", 500, 500, mapId: 2);
        using var reaped = Collect(pair.Survivor, "proxchat.cluster.reaped_clients");

        pair.Doomed.Kill();

        await pair.A.ExpectPeersAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = connection.GetDatabase();
        await WaitUntilAsync(async () => await ReapedAsync(db, prefix, pair.DoomedNodeList));
        var keys = await KeysAsync(prefix);
        Assert.DoesNotContain($"{prefix}:client:b", keys);
        Assert.DoesNotContain($"{prefix}:client:c", keys);
        Assert.DoesNotContain(keys, k => k.Contains("{0:0:2}", StringComparison.Ordinal));
        Assert.Equal(["a"], (await db.HashKeysAsync($"{prefix}:{{0:0:1}}:pos")).Select(v => (string)v!));
        await reaped.WaitForMeasurementsAsync(2, RecoveryDeadline);
        Assert.Equal(2, reaped.GetMeasurementSnapshot().EvaluateAsCounter());
        c.Abort();
    }

    [Fact]
    public async Task A_node_paused_past_node_timeout_is_reaped_and_its_clients_take_their_places_again_when_it_resumes()
    {
        var prefix = RedisFixture.UniquePrefix();
        await using var pair = await StartPairWithDoomedNodeAsync(prefix);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = connection.GetDatabase();

        // A paused VM or container: the node's sockets stay open, and it misses NodeTimeout.
        await pair.Doomed.FreezeAsync();
        await pair.A.ExpectPeersAsync();
        await WaitUntilAsync(async () => await ReapedAsync(db, prefix, pair.DoomedNodeList));
        await pair.Doomed.ThawAsync();

        // Its client's connection outlived the pause: the next move puts it back.
        await pair.B.MoveAsync(1, 1);
        await pair.A.WaitForPeersAsync("b");
        await pair.B.WaitForPeersAsync("a");
        await RelaysGetThroughAsync(pair.A, pair.B);
        await RelaysGetThroughAsync(pair.B, pair.A);
        await WaitUntilAsync(async () => await db.SortedSetLengthAsync($"{prefix}:nodes") == 2);
        static bool SaysItWasUnlisted(string line) => line.Contains("Redis no longer listed this node", StringComparison.Ordinal);
        await Eventually.HoldsAsync(() => pair.Doomed.Output.Any(SaysItWasUnlisted), RecoveryDeadline, () => string.Join(" | ", pair.Doomed.Output));
        Assert.Single(pair.Doomed.Output, SaysItWasUnlisted);
    }

    [Fact]
    public async Task A_killed_node_is_reaped_from_every_partition_its_list_names()
    {
        var prefix = RedisFixture.UniquePrefix();
        await using var pair = await StartPairWithDoomedNodeAsync(prefix);

        // As a map change to map 2 leaves b's entry when Redis keeps only its start (a crash that
        // lost the last writes, a failover to a lagging replica): b is still in map 1, and its
        // node's list names map 2 first.
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = connection.GetDatabase();
        var nodeList = pair.DoomedNodeList;
        var entry = (string)(await db.HashGetAsync(nodeList, "b"))!;
        Assert.EndsWith(" 0:0:1", entry, StringComparison.Ordinal);
        await db.HashSetAsync(nodeList, "b", entry.Replace(" 0:0:1", " 0:0:2 0:0:1", StringComparison.Ordinal));

        pair.Doomed.Kill();

        await pair.A.ExpectPeersAsync();
        await WaitUntilAsync(async () => !(await KeysAsync(prefix)).Contains(nodeList));
        Assert.Equal(["a"], (await db.HashKeysAsync($"{prefix}:{{0:0:1}}:pos")).Select(v => (string)v!));
        Assert.DoesNotContain($"{prefix}:client:b", await KeysAsync(prefix));
    }

    [Fact]
    public async Task A_reap_reports_no_set_for_the_dead_nodes_own_clients()
    {
        var prefix = RedisFixture.UniquePrefix();
        await using var pair = await StartPairWithDoomedNodeAsync(prefix);
        var c = await TestClient.JoinAsync(pair.Doomed, "c", 2, 2);
        await pair.A.WaitForPeersAsync("b", "c");
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = connection.GetDatabase();
        var (connectionId, tags) = RedisPresenceStore.ParseNodeEntry((string)(await db.HashGetAsync(pair.DoomedNodeList, "b"))!);
        var doomedId = pair.DoomedNodeList[(pair.DoomedNodeList.LastIndexOf(':') + 1)..];

        // What the survivor's reaper does with each client of a dead node; c is the dead node's
        // too, so its new set would go only to the dead node's channel.
        var changes = await pair.Survivor.Get<RedisPresenceStore>().RemoveEverywhereAsync("b", connectionId, doomedId, tags);

        Assert.Equal(["a"], changes.Select(change => change.ClientId));
        Assert.Equal(["a"], (await db.SetMembersAsync($"{prefix}:{{0:0:1}}:l:c")).Select(v => (string)v!));
        c.Abort();
    }

    [Fact]
    public async Task A_node_reaping_a_dead_node_with_many_clients_keeps_its_own_heartbeat()
    {
        var prefix = RedisFixture.UniquePrefix();
        await using var pair = await StartPairWithDoomedNodeAsync(prefix);

        // Enough clients that reaping them one after another takes longer than the survivor may
        // stay silent before the others presume it dead too (NodeTimeout 5 s less two beats).
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = connection.GetDatabase();
        var survivorId = pair.Survivor.Get<RedisNode>().NodeId;
        await db.HashSetAsync(pair.DoomedNodeList, [.. Enumerable.Range(0, 60_000).Select(i => new HashEntry($"gone-{i}", $"{i + 100} 0:0:1"))]);

        pair.Doomed.Kill();

        var longestSilenceMs = 0L;
        await WaitUntilAsync(async () =>
        {
            var beat = (long)(await db.SortedSetScoreAsync($"{prefix}:nodes", survivorId))!;
            var time = (RedisResult[])(await db.ExecuteAsync("TIME"))!;
            longestSilenceMs = Math.Max(longestSilenceMs, ((long)time[0] * 1000) + ((long)time[1] / 1000) - beat);
            return await ReapedAsync(db, prefix, pair.DoomedNodeList);
        });
        Assert.True(longestSilenceMs < SilenceAtNodeTimeout5.TotalMilliseconds, $"the survivor's heartbeat was {longestSilenceMs} ms old during the reap");
        await pair.A.ExpectPeersAsync();
    }

    [Fact]
    public async Task A_stopped_node_says_goodbye_to_peers_elsewhere_and_leaves_nothing_in_redis()
    {
        var prefix = RedisFixture.UniquePrefix();
        await using var staying = await TestServer.StartNodeAsync(redis.ConnectionString, prefix);
        var leaving = await TestServer.StartNodeAsync(redis.ConnectionString, prefix);
        await using var a = await TestClient.JoinAsync(staying, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(leaving, "b", 1, 1);
        await a.WaitForPeersAsync("b");

        await leaving.StopAsync();

        Assert.Equal(WebSocketCloseStatusGoingAway, (await b.ExpectClosedAsync()).Status);
        await a.ExpectPeersAsync();
        var keys = await KeysAsync(prefix);
        Assert.DoesNotContain($"{prefix}:client:b", keys);
        Assert.Single(keys, k => k.Contains(":node:", StringComparison.Ordinal));
        await leaving.DisposeAsync();
    }

    [Fact]
    public async Task A_node_sent_sigterm_drains_its_clients_tells_their_peers_and_leaves_nothing_in_redis()
    {
        var prefix = RedisFixture.UniquePrefix();
        await using var staying = await TestServer.StartNodeAsync(redis.ConnectionString, prefix);
        await using var draining = await NodeProcess.StartAsync(redis.ConnectionString, prefix);
        await using var a = await TestClient.JoinAsync(staying, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(draining, "b", 1, 1);
        await using var c = await TestClient.JoinAsync(draining, "c", 2, 2);
        await a.WaitForPeersAsync("b", "c");

        await draining.TerminateAsync();

        Assert.Equal(0, draining.ExitCode);
        Assert.Equal(WebSocketCloseStatusGoingAway, (await b.ExpectClosedAsync()).Status);
        Assert.Equal(WebSocketCloseStatusGoingAway, (await c.ExpectClosedAsync()).Status);
        await a.WaitForPeersAsync();
        var keys = await KeysAsync(prefix);
        Assert.DoesNotContain($"{prefix}:client:b", keys);
        Assert.DoesNotContain($"{prefix}:client:c", keys);
        Assert.Single(keys, k => k.Contains(":node:", StringComparison.Ordinal));
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        Assert.Equal(["a"], (await connection.GetDatabase().HashKeysAsync($"{prefix}:{{0:0:1}}:pos")).Select(v => (string)v!));
        Assert.Equal(1, await connection.GetDatabase().SortedSetLengthAsync($"{prefix}:nodes"));
    }

    [Fact]
    public async Task Nodes_survive_a_redis_restart_report_not_ready_meanwhile_and_recover_a_correct_state()
    {
        await using var privateRedis = await RedisServer.StartAsync();
        var prefix = RedisFixture.UniquePrefix();
        await using var pair = await StartLinkedPairAsync(privateRedis.ConnectionString, prefix);
        var (node1, node2, a, b) = pair;
        using var http = new HttpClient();
        using var unavailable = Collect(node1, "proxchat.store.unavailable");

        privateRedis.Kill();

        await WaitForReadinessAsync(http, ready: false, node1);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(node1.HttpAddress, "/healthz"))).StatusCode);
        a.DiscardReceived();
        await a.MoveAsync(2, 2);
        Assert.Contains("Redis", await a.ExpectErrorAsync(), StringComparison.Ordinal);
        Assert.Equal(1, unavailable.GetMeasurementSnapshot().EvaluateAsCounter());

        await privateRedis.RestartAsync(TimeSpan.Zero);
        await WaitForReadinessAsync(http, ready: true, node1, node2);

        // Redis came back empty: each client's next move claims it again, and the pair re-forms.
        await a.MoveAsync(0, 0);
        await a.WaitForPeersAsync();
        await b.MoveAsync(1, 1);
        await a.WaitForPeersAsync("b");
        await b.WaitForPeersAsync("a");
        await a.SendRelayAsync("SendOffer", "b", "offer", "after the restart");
        Assert.Equal("after the restart", (await b.ExpectAsync("ReceiveOffer")).Data!["offer"]!.GetValue<string>());
        Assert.Equal(["b"], await a.RefreshAsync());
    }

    [Fact]
    public async Task Changes_redis_answers_too_late_are_reported_as_perhaps_applied_and_the_client_learns_its_set()
    {
        await using var privateRedis = await RedisServer.StartAsync();
        var prefix = RedisFixture.UniquePrefix();

        // A two-second command timeout, which the stall outlasts (and the set-up, on a busy
        // machine, does not); no reintroductions, so every set a client hears is one the test
        // made it hear. The move goes first: placed beside the connection's reading, it lets the
        // offer wait for Redis at the same time, and the test waits for one timeout, not two.
        await using var pair = await StartLinkedPairAsync($"{privateRedis.ConnectionString},asyncTimeout=2000", prefix, ("ReintroductionIntervalSeconds", "0"));
        var (_, _, a, b) = pair;

        await privateRedis.FreezeAsync();
        await a.MoveAsync(100, 100);
        await a.SendRelayAsync("SendOffer", "b", "offer", "late");
        Assert.Equal(ProtocolErrors.StoreTooSlow, await a.ExpectErrorAsync());
        Assert.Equal(ProtocolErrors.StoreTooSlow, await a.ExpectErrorAsync());
        await privateRedis.ThawAsync();

        // Redis applied both once it ran again, as the errors allowed: b has the offer, and the
        // two are apart. The placement's answer was lost, so a's next move is answered with its
        // set, and b's refresh reads the truth.
        Assert.Equal("late", (await b.ExpectAsync("ReceiveOffer")).Data!["offer"]!.GetValue<string>());
        await a.MoveAsync(100, 100);
        await a.ExpectPeersAsync();
        Assert.Empty(await b.RefreshAsync());
    }

    [Fact]
    public async Task A_crowd_on_three_nodes_that_moved_during_a_redis_stall_past_the_timeout_converges_on_the_brute_force_sets()
    {
        await using var privateRedis = await RedisServer.StartAsync();
        var prefix = RedisFixture.UniquePrefix();
        var nodes = new List<TestServer>();
        var unanswered = new List<MetricCollector<long>>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                nodes.Add(await TestServer.StartNodeAsync($"{privateRedis.ConnectionString},asyncTimeout=2000", prefix, ("ReintroductionIntervalSeconds", "2")));
                unanswered.Add(Collect(nodes[^1], "proxchat.store.unavailable"));
            }

            // The second round's moves reach Redis only after their answers are given up on: the
            // sets they changed reach the clients with the next reintroduction, which is what
            // heals a set a client missed.
            await CrowdTests.AssertCrowdHearsBruteForceAsync(nodes, 120, async moveAll =>
            {
                await privateRedis.FreezeAsync();
                await moveAll();
                await Task.Delay(TimeSpan.FromSeconds(3));
                await privateRedis.ThawAsync();
            });
            Assert.True(unanswered.Sum(collector => collector.GetMeasurementSnapshot().EvaluateAsCounter()) > 0, "no move went unanswered: the stall did not outlast the timeout");
        }
        finally
        {
            unanswered.ForEach(collector => collector.Dispose());
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Nodes_reach_redis_through_sentinels_that_require_its_password()
    {
        const string password = "shared";
        await using var master = await RedisServer.StartAsync("--requirepass", password);
        await using var sentinel = await RedisServer.StartSentinelAsync("proxchat", master, password);
        Assert.StartsWith("NOAUTH", await sentinel.CommandAsync("sentinel", "masters"), StringComparison.Ordinal);

        // StackExchange.Redis gives the sentinels the password it gives Redis.
        await using var pair = await StartLinkedPairAsync($"{sentinel.ConnectionString},serviceName=proxchat,password={password}", RedisFixture.UniquePrefix());
        await RelaysGetThroughAsync(pair.A, pair.B);
        await RelaysGetThroughAsync(pair.B, pair.A);
    }

    [Fact]
    public async Task Nodes_ride_out_a_redis_stall_shorter_than_the_command_timeout()
    {
        await using var privateRedis = await RedisServer.StartAsync();
        var prefix = RedisFixture.UniquePrefix();
        await using var pair = await StartLinkedPairAsync(privateRedis.ConnectionString, prefix);
        var (node1, node2, a, b) = pair;

        // Two seconds without an answer from Redis, under StackExchange.Redis's five-second
        // command timeout and the fifteen-second NodeTimeout: a relay and a move sent meanwhile
        // wait for Redis, in order, and nothing is refused or lost.
        await privateRedis.FreezeAsync();
        await a.SendRelayAsync("SendOffer", "b", "offer", "during the stall");
        await a.MoveAsync(100, 100);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await privateRedis.ThawAsync();

        Assert.Equal("during the stall", (await b.ExpectAsync("ReceiveOffer")).Data!["offer"]!.GetValue<string>());
        await b.ExpectPeersAsync();
        await a.ExpectPeersAsync();
        using var http = new HttpClient();
        await WaitForReadinessAsync(http, ready: true, node1, node2);
        Assert.Equal("2", (await privateRedis.CommandAsync("zcard", $"{prefix}:nodes")).Trim());

        await a.MoveAsync(0, 0);
        await a.WaitForPeersAsync("b");
        await b.WaitForPeersAsync("a");
        await using var c = await CarriesOnAsync(pair);
    }

    [Fact]
    public async Task Nodes_on_sentinel_follow_a_failover_to_the_replica_and_carry_on()
    {
        await using var master = await RedisServer.StartAsync();
        await using var replica = await RedisServer.StartAsync("--replicaof", "127.0.0.1", master.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await using var sentinel = await RedisServer.StartSentinelAsync("proxchat", master);
        var replicaPort = replica.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await WaitUntilAsync(async () => (await replica.CommandAsync("info", "replication")).Contains("master_link_status:up", StringComparison.Ordinal)
            && (await sentinel.CommandAsync("sentinel", "replicas", "proxchat")).Contains(replicaPort, StringComparison.Ordinal));
        var prefix = RedisFixture.UniquePrefix();

        // As the least-privileged user, which behind a sentinel the multiplexer also asks each
        // server's ROLE, before and after the failover.
        await master.AddLeastPrivilegedUserAsync(prefix);
        await replica.AddLeastPrivilegedUserAsync(prefix);
        var throughSentinel = $"{sentinel.ConnectionString},serviceName=proxchat,user=proxchat,password={RedisServer.LeastPrivilegedPassword}";
        await using var pair = await StartLinkedPairAsync(throughSentinel, prefix);
        var (node1, node2, a, _) = pair;
        using var http = new HttpClient();
        Assert.Equal(string.Empty, await master.AclRefusalsAsync());
        await ReplicatedAsync(master);

        master.Kill();

        await WaitForReadinessAsync(http, ready: false, node1, node2);
        await WaitUntilAsync(async () => (await sentinel.CommandAsync("sentinel", "get-master-addr-by-name", "proxchat")).Contains(replicaPort, StringComparison.Ordinal));
        await WaitForReadinessAsync(http, ready: true, node1, node2);

        // The replica had everything: no client needs to claim its place again. Each node
        // subscribes to its channel again on the new master in its own time; until then, what
        // is published to it is lost, as pub/sub loses it.
        await using var c = await CarriesOnAsync(pair);

        // Read back from the new master (late candidates may still be queued ahead of the set).
        await a.SendAsync("RequestPeerRefresh");
        await a.WaitForPeersAsync("b", "c");
        Assert.Equal(string.Empty, await replica.AclRefusalsAsync());
    }

    [Fact]
    public async Task Nodes_on_a_redis_cluster_follow_a_failover_to_a_replica_and_carry_on()
    {
        var servers = await RedisServer.StartClusterAsync(replicasPerMaster: 1, "--cluster-node-timeout", "1000");
        try
        {
            var prefix = RedisFixture.UniquePrefix();
            await using var pair = await StartLinkedPairAsync(string.Join(',', servers.Select(server => server.ConnectionString)), prefix);
            using var http = new HttpClient();
            var partitionKey = $"{prefix}:{{0:0:1}}:geo";
            var master = await RedisServer.MasterOfAsync(servers, partitionKey) ?? throw new InvalidOperationException("No master serves the partition.");
            await ReplicatedAsync(master);

            master.Kill();

            // Its replica takes over the partition's slot with the data it had synced.
            await WaitUntilAsync(async () => await RedisServer.MasterOfAsync(servers, partitionKey) is { } promoted && promoted != master);
            await WaitForReadinessAsync(http, ready: true, pair.Node1, pair.Node2);
            await using var c = await CarriesOnAsync(pair);
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_node_that_no_longer_hears_its_bus_channel_reports_not_ready_and_subscribes_again()
    {
        await using var privateRedis = await RedisServer.StartAsync();
        var prefix = RedisFixture.UniquePrefix();
        await using var pair = await StartLinkedPairAsync(privateRedis.ConnectionString, prefix);
        var (node1, node2, a, b) = pair;
        using var http = new HttpClient();
        await WaitForReadinessAsync(http, ready: true, node1, node2);

        // The multiplexer reconnects its subscription at once, but Redis refuses the SUBSCRIBE and
        // the multiplexer does not try again; commands, and so heartbeats, go on as before.
        await privateRedis.CommandAsync("acl", "setuser", "default", "-subscribe");
        await privateRedis.CommandAsync("client", "kill", "type", "pubsub");

        await WaitForReadinessAsync(http, ready: false, node1, node2);
        var beatsWhenUnready = await HeartbeatsAsync(privateRedis, prefix);
        await WaitUntilAsync(async () => (await HeartbeatsAsync(privateRedis, prefix)).All(beat => beat > beatsWhenUnready.Max()));
        foreach (var node in new[] { node1, node2 })
        {
            using var readiness = await http.GetAsync(new Uri(node.HttpAddress, "/readyz"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness.StatusCode);
            Assert.Contains("does not hear its own bus channel", await readiness.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await privateRedis.CommandAsync("acl", "setuser", "default", "+subscribe");

        await WaitForReadinessAsync(http, ready: true, node1, node2);
        await RelaysGetThroughAsync(a, b);
        await RelaysGetThroughAsync(b, a);
    }

    [Fact]
    public async Task A_node_given_the_wrong_redis_password_is_not_ready_and_says_why()
    {
        await using var privateRedis = await RedisServer.StartAsync("--requirepass", "right");
        var prefix = RedisFixture.UniquePrefix();
        await using var refused = await NodeProcess.StartUnreadyAsync($"{privateRedis.ConnectionString},password=wrong", prefix);
        using var http = new HttpClient();

        await Eventually.HoldsAsync(
            () => refused.Output.Any(line => line.Contains("heartbeat cannot reach Redis", StringComparison.Ordinal) && line.Contains("NOAUTH", StringComparison.Ordinal)),
            RecoveryDeadline,
            () => $"the node did not say why it cannot reach Redis; its output: {string.Join(" | ", refused.Output)}");

        await using var admitted = await NodeProcess.StartAsync($"{privateRedis.ConnectionString},password=right", prefix);
        await using var a = await TestClient.JoinAsync(admitted, "a", 0, 0);

        // Heartbeats went on failing meanwhile (a second each): still unready, and said once.
        using var readiness = await http.GetAsync(new Uri(refused.HttpAddress, "/readyz"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness.StatusCode);
        Assert.StartsWith("Unhealthy\nredis: Redis is unreachable: ", await readiness.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("NOAUTH", await readiness.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(refused.Output, line => line.Contains("heartbeat cannot reach Redis", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_map_change_cut_off_by_a_redis_outage_leaves_no_copy_of_the_client_in_the_old_map()
    {
        // Redis keeps its data across this restart (an append-only file), as a persistent Redis
        // or a failover to a replica would: the old map still lists the client afterwards.
        var data = Directory.CreateTempSubdirectory("proxchat-test-redis-");
        try
        {
            await using var privateRedis = await RedisServer.StartAsync("--appendonly", "yes", "--appendfsync", "always", "--dir", data.FullName);
            var prefix = RedisFixture.UniquePrefix();
            await using var pair = await StartLinkedPairAsync(privateRedis.ConnectionString, prefix);
            var (node1, node2, a, b) = pair;
            using var http = new HttpClient();

            privateRedis.Kill();
            await WaitForReadinessAsync(http, ready: false, node1);
            a.DiscardReceived();
            await a.MoveAsync(0, 0, mapId: 2);
            Assert.Contains("Redis", await a.ExpectErrorAsync(), StringComparison.Ordinal);

            await privateRedis.RestartAsync(TimeSpan.Zero);
            await WaitForReadinessAsync(http, ready: true, node1, node2);
            await a.MoveAsync(0, 0, mapId: 2);

            await a.WaitForPeersAsync();
            await b.WaitForPeersAsync();
            await using var connection = await ConnectionMultiplexer.ConnectAsync(privateRedis.ConnectionString);
            Assert.Equal(["b"], (await connection.GetDatabase().HashKeysAsync($"{prefix}:{{0:0:1}}:pos")).Select(v => (string)v!));
            Assert.Equal(["a"], (await connection.GetDatabase().HashKeysAsync($"{prefix}:{{0:0:2}}:pos")).Select(v => (string)v!));
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task After_an_outage_that_silenced_every_node_no_node_takes_another_for_dead()
    {
        // Redis keeps the heartbeats across the restart, as a persistent Redis or a replica would:
        // when it returns, every node's last beat is older than a node may stay silent.
        var data = Directory.CreateTempSubdirectory("proxchat-test-redis-");
        try
        {
            await using var privateRedis = await RedisServer.StartAsync("--appendonly", "yes", "--appendfsync", "always", "--dir", data.FullName);
            var prefix = RedisFixture.UniquePrefix();
            await using var pair = await StartLinkedPairAsync(privateRedis.ConnectionString, prefix, ("NodeTimeoutSeconds", "5"));
            var (node1, node2, a, b) = pair;
            using var http = new HttpClient();

            privateRedis.Kill();
            await WaitForReadinessAsync(http, ready: false, node1, node2);
            await privateRedis.RestartAsync(SilenceAtNodeTimeout5 + TimeSpan.FromSeconds(1));
            await WaitForReadinessAsync(http, ready: true, node1, node2);

            // A node that took the other for dead would have reaped it within a silence and a
            // beat of coming back; nothing positive marks that it did not, so this waits it out.
            await Task.Delay(SilenceAtNodeTimeout5 + TimeSpan.FromSeconds(1));
            Assert.Equal(["b"], await a.RefreshAsync());
            Assert.Equal(["a"], await b.RefreshAsync());
            await using var connection = await ConnectionMultiplexer.ConnectAsync(privateRedis.ConnectionString);
            Assert.Equal(2, await connection.GetDatabase().SortedSetLengthAsync($"{prefix}:nodes"));
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task After_a_redis_stall_longer_than_a_node_may_stay_silent_no_node_takes_another_for_dead()
    {
        await using var privateRedis = await RedisServer.StartAsync();
        var prefix = RedisFixture.UniquePrefix();
        await using var pair = await StartLinkedPairAsync(privateRedis.ConnectionString, prefix, ("NodeTimeoutSeconds", "5"));
        var (node1, node2, a, b) = pair;
        using var http = new HttpClient();
        using var reapedByNode1 = Collect(node1, "proxchat.cluster.reaped_clients");
        using var reapedByNode2 = Collect(node2, "proxchat.cluster.reaped_clients");
        await using var aMoving = a.KeepMoving(0, 0);
        await using var bMoving = b.KeepMoving(1, 1);

        // Redis stopped for longer than a node may stay silent and than the command timeout. The
        // checks for silent nodes sent meanwhile are answered at once when it resumes, ahead of
        // the other node's delayed beats: one such answer found the other node silent, and it
        // was reaped.
        await privateRedis.FreezeAsync();
        await WaitForReadinessAsync(http, ready: false, node1, node2);
        await Task.Delay(SilenceAtNodeTimeout5 + TimeSpan.FromSeconds(3));
        await privateRedis.ThawAsync();
        await WaitForReadinessAsync(http, ready: true, node1, node2);

        // A node that took the other for dead would have reaped it within a silence and a beat
        // of Redis resuming; nothing positive marks that it did not, so this waits it out.
        await Task.Delay(SilenceAtNodeTimeout5 + TimeSpan.FromSeconds(1));
        Assert.Equal(0, reapedByNode1.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(0, reapedByNode2.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal("2", (await privateRedis.CommandAsync("zcard", $"{prefix}:nodes")).Trim());
    }

    [Fact]
    public async Task Hub_clients_ride_out_a_redis_outage_though_a_new_one_cannot_connect_until_redis_returns()
    {
        await using var privateRedis = await RedisServer.StartAsync();
        await using var node = await TestServer.StartNodeAsync(privateRedis.ConnectionString, RedisFixture.UniquePrefix());
        await using var early = await HubTestClient.JoinAsync(node, "early", 0, 0);
        using var http = new HttpClient();

        privateRedis.Kill();
        await WaitForReadinessAsync(http, ready: false, node);
        await early.MoveAsync("early", 1, 1);
        Assert.Equal(ProtocolErrors.StoreUnavailable, (await early.ExpectAsync("Error")).GetString());

        // The backplane subscribes each hub connection as it connects: without Redis, SignalR
        // closes the new one (README, SignalR hub), during its handshake or just after.
        var refused = await Record.ExceptionAsync(async () =>
        {
            await using var late = await HubTestClient.ConnectAsync(node);
            await late.MoveAsync("late", 0, 0);
        });
        Assert.IsAssignableFrom<InvalidOperationException>(refused);

        await privateRedis.RestartAsync(TimeSpan.Zero);
        await WaitForReadinessAsync(http, ready: true, node);
        await early.MoveAsync("early", 1, 1);
        await early.ExpectPeersAsync();
        await using var again = await HubTestClient.JoinAsync(node, "again", 0, 0);
        await early.ExpectPeersAsync("again");
    }

    [Fact]
    public async Task A_node_started_while_redis_is_down_serves_once_it_comes_up()
    {
        await using var privateRedis = await RedisServer.StartAsync();
        privateRedis.Kill();
        var prefix = RedisFixture.UniquePrefix();
        await using var node = await TestServer.StartNodeAsync(privateRedis.ConnectionString, prefix);
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(node.HttpAddress, "/healthz"))).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(new Uri(node.HttpAddress, "/readyz"))).StatusCode);
        await using var a = await TestClient.ConnectAsync(node);
        using var unavailable = Collect(node, "proxchat.store.unavailable");
        await a.MoveAsync("a", 0, 0);
        Assert.Contains("Redis", await a.ExpectErrorAsync(), StringComparison.Ordinal);
        Assert.Equal(1, unavailable.GetMeasurementSnapshot().EvaluateAsCounter());

        await privateRedis.RestartAsync(TimeSpan.Zero);
        await WaitForReadinessAsync(http, ready: true, node);

        await a.MoveAsync("a", 0, 0);
        await a.ExpectPeersAsync();
        await using var b = await TestClient.JoinAsync(node, "b", 1, 1);
        await a.ExpectPeersAsync("b");
    }

    /// <summary>
    /// What the node's own instrument records from now on. Not scraped from /metrics: the exporter
    /// listens to every meter of the name in this process, and another test's node disposing its
    /// meter stops that instrument for all of them (open-telemetry/opentelemetry-dotnet#6412), so
    /// only <see cref="MetricsTests"/>, which runs alone, reads /metrics.
    /// </summary>
    private static MetricCollector<long> Collect(TestServer node, string instrument) =>
        new(node.Get<IMeterFactory>(), ProxChatMetrics.MeterName, instrument);

    /// <summary>
    /// Whether the reap of a dead node is done: its list deleted, then the node taken off the live
    /// set (in that order, so a reaper that dies between them leaves the node to be reaped again),
    /// leaving the one survivor.
    /// </summary>
    private static async Task<bool> ReapedAsync(IDatabase db, string prefix, string nodeList) =>
        !await db.KeyExistsAsync(nodeList) && await db.SortedSetLengthAsync($"{prefix}:nodes") == 1;

    /// <summary>Each node's last heartbeat (Redis's clock, ms), read with redis-cli so no multiplexer needs to subscribe.</summary>
    private static async Task<long[]> HeartbeatsAsync(RedisServer server, string prefix)
    {
        var reply = await server.CommandAsync("zrange", $"{prefix}:nodes", "0", "-1", "withscores");
        var lines = reply.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return [.. lines.Where((_, index) => index % 2 == 1).Select(score => long.Parse(score, System.Globalization.CultureInfo.InvariantCulture))];
    }

    private const System.Net.WebSockets.WebSocketCloseStatus WebSocketCloseStatusGoingAway = System.Net.WebSockets.WebSocketCloseStatus.EndpointUnavailable;

    private async Task<List<string>> KeysAsync(string prefix)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var server = connection.GetServers()[0];
        var keys = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: $"{prefix}:*"))
        {
            keys.Add((string)key!);
        }

        return keys;
    }

    /// <summary>
    /// Client a on a node in this process and b on a node process the test may kill (both at
    /// NodeTimeout 5 s), introduced to each other; and the doomed node's list in Redis.
    /// </summary>
    private Task<PairWithDoomedNode> StartPairWithDoomedNodeAsync(string prefix) =>
        SetUpAsync(async started =>
        {
            (string, string)[] settings = [("NodeTimeoutSeconds", "5")];
            var survivor = started.Add(await TestServer.StartNodeAsync(redis.ConnectionString, prefix, settings));
            var doomed = started.Add(await NodeProcess.StartAsync(redis.ConnectionString, prefix, settings));
            var a = started.Add(await TestClient.JoinAsync(survivor, "a", 0, 0));
            var b = started.Add(await TestClient.JoinAsync(doomed, "b", 1, 1));
            await a.WaitForPeersAsync("b");
            var survivorId = survivor.Get<RedisNode>().NodeId;
            var doomedList = (await KeysAsync(prefix)).Single(k => k.Contains(":node:", StringComparison.Ordinal) && !k.EndsWith(survivorId, StringComparison.Ordinal));
            return new PairWithDoomedNode(survivor, doomed, a, b, doomedList);
        });

    /// <summary>Two nodes in this process on <paramref name="redisConnection"/>, with client a on the first and b on the second, introduced to each other.</summary>
    private static Task<LinkedPair> StartLinkedPairAsync(string redisConnection, string prefix, params (string Key, string Value)[] settings) =>
        SetUpAsync(async started =>
        {
            var node1 = started.Add(await TestServer.StartNodeAsync(redisConnection, prefix, settings));
            var node2 = started.Add(await TestServer.StartNodeAsync(redisConnection, prefix, settings));
            var a = started.Add(await TestClient.JoinAsync(node1, "a", 0, 0));
            var b = started.Add(await TestClient.JoinAsync(node2, "b", 1, 1));
            await a.WaitForPeersAsync("b");
            return new LinkedPair(node1, node2, a, b);
        });

    /// <summary>Runs a set-up that starts parts one after another; should it fail, stops those it started, newest first.</summary>
    private static async Task<T> SetUpAsync<T>(Func<StartedParts, Task<T>> setUp)
    {
        var started = new StartedParts();
        try
        {
            return await setUp(started);
        }
        catch
        {
            // Not a node (or node process) left running behind a failed set-up.
            await started.DisposeAsync();
            throw;
        }
    }

    /// <summary>After a failover: relays cross between a and b both ways, and a new client c on node 2 is introduced to both (the caller disposes it).</summary>
    private static async Task<TestClient> CarriesOnAsync(LinkedPair pair)
    {
        await RelaysGetThroughAsync(pair.A, pair.B);
        await RelaysGetThroughAsync(pair.B, pair.A);
        var c = await TestClient.ConnectAsync(pair.Node2);
        await c.MoveAsync("c", 2, 2);
        await c.ExpectPeersAsync("a", "b");
        await pair.A.WaitForPeersAsync("b", "c");
        await pair.B.WaitForPeersAsync("a", "c");
        return c;
    }

    /// <summary>Waits until an ICE candidate from <paramref name="from"/> reaches <paramref name="to"/>, sending one every 200 ms.</summary>
    private static Task RelaysGetThroughAsync(TestClient from, TestClient to) =>
        Eventually.HoldsAsync(
            async () =>
            {
                await from.SendRelayAsync("SendIceCandidate", to.Id!, "candidate", "c");
                return await to.TryNextAsync(TimeSpan.FromMilliseconds(200)) is { Type: "ReceiveIceCandidate" };
            },
            RecoveryDeadline,
            () => $"no relay from {from.Id} reached {to.Id}");

    /// <summary>
    /// Waits until the master's replica has acknowledged every write so far. Replication is
    /// asynchronous: on a busy machine the last writes can still be on their way when the master
    /// is killed, and these tests are about a failover that loses nothing.
    /// </summary>
    private static async Task ReplicatedAsync(RedisServer master) =>
        Assert.Equal("1", (await master.CommandAsync("wait", "1", "5000")).Trim());

    private static Task WaitForReadinessAsync(HttpClient http, bool ready, params TestServer[] nodes) =>
        WaitUntilAsync(async () =>
        {
            foreach (var node in nodes)
            {
                if ((await http.GetAsync(new Uri(node.HttpAddress, "/readyz"))).IsSuccessStatusCode != ready)
                {
                    return false;
                }
            }

            return true;
        });

    private static Task WaitUntilAsync(Func<Task<bool>> condition) =>
        Eventually.HoldsAsync(condition, RecoveryDeadline, static () => "the condition did not hold");

    private sealed class StartedParts : IAsyncDisposable
    {
        private readonly Stack<IAsyncDisposable> _parts = new();

        public T Add<T>(T part)
            where T : IAsyncDisposable
        {
            _parts.Push(part);
            return part;
        }

        public async ValueTask DisposeAsync()
        {
            while (_parts.TryPop(out var part))
            {
                await part.DisposeAsync();
            }
        }
    }

    private sealed record LinkedPair(TestServer Node1, TestServer Node2, TestClient A, TestClient B) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await B.DisposeAsync();
            await A.DisposeAsync();
            await Node2.DisposeAsync();
            await Node1.DisposeAsync();
        }
    }

    private sealed record PairWithDoomedNode(TestServer Survivor, NodeProcess Doomed, TestClient A, TestClient B, string DoomedNodeList) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            // b's node may be dead: its socket is dropped, not closed.
            B.Abort();
            await A.DisposeAsync();
            await Doomed.DisposeAsync();
            await Survivor.DisposeAsync();
        }
    }
}
