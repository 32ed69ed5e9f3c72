namespace ProxChat.Host.Tests.Cluster;

/// <summary>
/// Takeover across nodes: the probe runs where the old connection lives, and a node that cannot
/// answer (frozen, dead) counts as a connection that did not.
/// </summary>
[Collection(RedisTests.Name)]
public sealed class CrossNodeTakeoverTests(RedisFixture redis)
{
    private static readonly (string Key, string Value) FastProbe = ("TakeoverProbeSeconds", "1");

    [Fact]
    public async Task A_half_open_connection_on_another_node_is_replaced_after_its_probe()
    {
        var prefix = RedisFixture.UniquePrefix();
        await using var node1 = await TestServer.StartNodeAsync(redis.ConnectionString, prefix, FastProbe);
        await using var node2 = await TestServer.StartNodeAsync(redis.ConnectionString, prefix, FastProbe);
        await using var peer = await TestClient.JoinAsync(node2, "peer", 0, 0);
        using var frozen = await RawWebSocketClient.ConnectAsync(node1);
        await frozen.SendTextAsync("""{"type":"UpdatePosition","data":{"client_id":"a","map_id":1,"x":1,"y":1}}""");
        await peer.WaitForPeersAsync("a");

        await using var returning = await TestClient.ConnectAsync(node2);
        await returning.MoveAsync("a", 1, 1);
        await returning.ExpectPeersAsync("peer");

        await peer.SendRelayAsync("SendOffer", "a", "offer", "to the returning one");
        Assert.Equal("to the returning one", (await returning.ExpectAsync("ReceiveOffer")).Data!["offer"]!.GetValue<string>());
        Assert.Equal(["a"], await peer.RefreshAsync());
    }

    [Fact]
    public async Task A_client_whose_node_is_frozen_gets_its_id_back_on_another_node()
    {
        var prefix = RedisFixture.UniquePrefix();
        await using var stuck = await NodeProcess.StartAsync(redis.ConnectionString, prefix, FastProbe);
        await using var healthy = await TestServer.StartNodeAsync(redis.ConnectionString, prefix, FastProbe);
        await using var old = await TestClient.JoinAsync(stuck, "a", 0, 0);
        await using var peer = await TestClient.JoinAsync(healthy, "peer", 1, 1);
        await old.ExpectPeersAsync("peer");

        await stuck.FreezeAsync();
        try
        {
            var started = DateTime.UtcNow;
            await using var returning = await TestClient.ConnectAsync(healthy);
            await returning.MoveAsync("a", 0, 0);
            await returning.ExpectPeersAsync("peer");

            // The probe (1 s) and the margin for its answer (1 s), long before the node would be reaped.
            Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(8));
            await peer.SendRelayAsync("SendOffer", "a", "offer", "back");
            Assert.Equal("back", (await returning.ExpectAsync("ReceiveOffer")).Data!["offer"]!.GetValue<string>());
        }
        finally
        {
            await stuck.ThawAsync();
        }
    }

    [Fact]
    public async Task Under_replace_registering_on_another_node_takes_the_client_over_at_once()
    {
        var prefix = RedisFixture.UniquePrefix();
        (string, string) replace = ("IdentityTakeover", "Replace");
        await using var node1 = await TestServer.StartNodeAsync(redis.ConnectionString, prefix, replace);
        await using var node2 = await TestServer.StartNodeAsync(redis.ConnectionString, prefix, replace);
        await using var peer = await TestClient.JoinAsync(node1, "peer", 0, 0);
        await using var first = await TestClient.JoinAsync(node1, "x", 1, 1);
        await peer.WaitForPeersAsync("x");

        await using var second = await TestClient.JoinAsync(node2, "x", 2, 2);

        var (status, reason) = await first.ExpectClosedAsync();
        Assert.Equal((System.Net.WebSockets.WebSocketCloseStatus)4000, status);
        Assert.Contains("Replaced", reason, StringComparison.Ordinal);
        Assert.Equal(["peer"], await second.RefreshAsync());

        // The old socket's close removed nothing: the client is still there, and reachable.
        await peer.SendRelayAsync("SendOffer", "x", "offer", "hello");
        Assert.Equal("hello", (await second.ExpectAsync("ReceiveOffer")).Data!["offer"]!.GetValue<string>());
        Assert.Equal(["x"], await peer.RefreshAsync());
    }
}
