using ProxChat.Transport.Protocol;
using ProxChat.Transport.Signaling;

namespace ProxChat.Host.Tests;

public class LivenessTests
{
    [Fact]
    public async Task Clients_are_reintroduced_periodically_without_any_change()
    {
        await using var server = await TestServer.StartAsync(("ReintroductionIntervalSeconds", "1"));
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);

        // A reintroduction of a alone may come first if b took over a second to join.
        await a.WaitForPeersAsync("b");

        // Nothing moves, yet both keep hearing their current set.
        await a.ExpectPeersAsync("b");
        await a.ExpectPeersAsync("b");
        await b.ExpectPeersAsync("a");
    }

    [Fact]
    public async Task A_client_silent_for_ClientTimeout_is_removed_and_closed()
    {
        // The quiet client keeps moving until both are set up, and only then falls silent: on a
        // busy machine the set-up alone can take longer than the timeout.
        await using var server = await TestServer.StartAsync(("ClientTimeoutSeconds", "2"));
        await using var quiet = await TestClient.JoinAsync(server, "quiet", 1, 1);
        var quietMoving = quiet.KeepMoving(1, 1);
        await using var active = await TestClient.JoinAsync(server, "active", 0, 0);
        await using var activeMoving = active.KeepMoving(0, 0);
        Assert.Equal(["quiet"], active.LatestPeers!);

        await quietMoving.DisposeAsync();
        await active.WaitForPeersAsync();
        var (status, reason) = await quiet.ExpectClosedAsync();

        Assert.Equal(4001, (int)status!);
        Assert.Contains("UpdatePosition", reason, StringComparison.Ordinal);
        Assert.Equal(1, server.Get<ClientRegistry>().Count);
    }

    [Fact]
    public async Task A_connection_that_never_registers_is_closed_after_ClientTimeout()
    {
        await using var server = await TestServer.StartAsync(("ClientTimeoutSeconds", "1"));
        await using var idle = await TestClient.ConnectAsync(server);

        var (status, _) = await idle.ExpectClosedAsync();

        Assert.Equal(4001, (int)status!);
    }

    [Fact]
    public async Task A_peer_that_stops_answering_pings_is_dropped_and_its_peers_are_told()
    {
        await using var server = await TestServer.StartAsync(("KeepAliveIntervalSeconds", "1"), ("KeepAliveTimeoutSeconds", "1"));
        await using var watcher = await TestClient.JoinAsync(server, "watcher", 0, 0);
        using var dead = await RawWebSocketClient.ConnectAsync(server);
        await dead.SendTextAsync("""{"type":"UpdatePosition","data":{"client_id":"dead","map_id":1,"x":1,"y":1}}""");
        await watcher.ExpectPeersAsync("dead");

        // The raw client reads nothing from here on, so it never answers a ping.
        await watcher.ExpectPeersAsync();
        Assert.True(await dead.IsClosedByServerAsync(TestClient.Deadline));
    }

    [Theory]
    [InlineData("16", "4194304")] // sixteen messages
    [InlineData("1000000", "131072")] // two relays' worth of payload, long before a million messages
    public async Task Relays_to_a_client_that_does_not_read_are_refused_as_busy_and_the_client_stays(string messageLimit, string byteLimit)
    {
        await using var server = await TestServer.StartAsync(
            ("SendQueueLimit", messageLimit), ("SendQueueByteLimit", byteLimit), ("MessageRateLimit", "0"), ("RelayBytesPerSecond", "0"));
        await using var sender = await TestClient.JoinAsync(server, "sender", 0, 0);
        using var stuck = await RawWebSocketClient.ConnectAsync(server, receiveBufferSize: 4096);
        await stuck.SendTextAsync("""{"type":"UpdatePosition","data":{"client_id":"stuck","map_id":1,"x":1,"y":1}}""");
        await sender.ExpectPeersAsync("stuck");

        var refusal = await OfferUntilBusyAsync(sender, "stuck");

        Assert.Equal(ProtocolErrors.TargetBusy("stuck"), refusal);
        Assert.Equal(["stuck"], await sender.RefreshAsync());
        Assert.Equal(2, server.Get<ClientRegistry>().Count);
    }

    [Fact]
    public async Task A_client_that_does_not_read_is_dropped_when_its_own_messages_fill_its_queue()
    {
        await using var server = await TestServer.StartAsync(
            ("SendQueueLimit", "64"), ("MessageRateLimit", "0"), ("RelayBytesPerSecond", "0"), ("PositionRateLimit", "0"));
        await using var sender = await TestClient.JoinAsync(server, "sender", 0, 0);
        await using var walker = await TestClient.JoinAsync(server, "walker", 100, 100);
        using var stuck = await RawWebSocketClient.ConnectAsync(server, receiveBufferSize: 4096);
        await stuck.SendTextAsync("""{"type":"UpdatePosition","data":{"client_id":"stuck","map_id":1,"x":1,"y":1}}""");
        await sender.ExpectPeersAsync("stuck");

        // Relays fill their share of the queue and no more...
        await OfferUntilBusyAsync(sender, "stuck");

        // ...so only the client's own sets, as the walker comes and goes, can fill the rest.
        var removed = false;
        for (var i = 0; i < 200 && !removed; i++)
        {
            await walker.MoveAsync(2, 2);
            await walker.MoveAsync(100, 100);
            await walker.WaitForPeersAsync();
            removed = !(await sender.RefreshAsync()).Contains("stuck");
        }

        Assert.True(removed, "the client that does not read was never dropped");
        Assert.Equal(2, server.Get<ClientRegistry>().Count);
        Assert.Equal(2, server.Get<ConnectionSet>().Count);
    }

    /// <summary>Offers large payloads, one per round trip, until the target is reported busy; returns that Error.</summary>
    private static async Task<string> OfferUntilBusyAsync(TestClient sender, string target)
    {
        var offer = new string('o', 60_000);
        for (var i = 0; i < 2_000; i++)
        {
            await sender.SendRelayAsync("SendOffer", target, "offer", offer);
            await sender.SendAsync("RequestPeerRefresh");
            TestClient.Received reply;
            while ((reply = await sender.NextAsync()).Type != "NearbyPeers")
            {
                if (reply.Type == "Error")
                {
                    var error = reply.Data!.GetValue<string>();
                    await sender.ExpectAsync("NearbyPeers");
                    return error;
                }
            }
        }

        throw new Xunit.Sdk.XunitException("the target's queue never filled");
    }
}
