using ProxChat.Host.Tests.Hubs;
using ProxChat.Transport.Protocol;

namespace ProxChat.Host.Tests;

/// <summary>
/// A client_id that is live on one connection, registered again on another: under Probe (the
/// default) the old connection keeps it while it answers; under Replace the newest wins at once.
/// </summary>
public sealed class TakeoverTests
{
    private static readonly (string Key, string Value) FastProbe = ("TakeoverProbeSeconds", "1");

    [Fact]
    public async Task Under_probe_a_live_connection_keeps_its_id_and_the_newcomer_is_told_it_is_in_use()
    {
        await using var server = await TestServer.StartAsync(FastProbe);
        await using var peer = await TestClient.JoinAsync(server, "peer", 0, 0);
        await using var owner = await TestClient.JoinAsync(server, "victim", 1, 1);
        await peer.ExpectPeersAsync("victim");

        await using var impostor = await TestClient.ConnectAsync(server);
        await impostor.MoveAsync("victim", 2, 2);

        Assert.Equal(ProtocolErrors.ClientIdInUse("victim"), await impostor.ExpectErrorAsync());

        // The owner is untouched and still gets its relays; the impostor gets none of them.
        await peer.SendRelayAsync("SendOffer", "victim", "offer", "for the owner");
        Assert.Equal("for the owner", (await owner.ExpectAsync("ReceiveOffer")).Data!["offer"]!.GetValue<string>());
        Assert.Equal(["victim"], await peer.RefreshAsync());
        Assert.Null(await impostor.TryNextAsync(TimeSpan.FromMilliseconds(300)));

        // Unregistered, the impostor can do nothing but register, and may under an id of its own.
        await impostor.SendRelayAsync("SendOffer", "peer", "offer", "as nobody");
        Assert.Equal(ProtocolErrors.NotRegistered, await impostor.ExpectErrorAsync());
        await impostor.MoveAsync("impostor", 3, 3);
        await impostor.ExpectPeersAsync("peer", "victim");
    }

    [Fact]
    public async Task Under_probe_a_connection_that_does_not_answer_its_ping_is_replaced()
    {
        await using var server = await TestServer.StartAsync(FastProbe);
        await using var peer = await TestClient.JoinAsync(server, "peer", 0, 0);

        // A half-open socket: registered, then silent, answering no ping.
        using var frozen = await RawWebSocketClient.ConnectAsync(server);
        await frozen.SendTextAsync("""{"type":"UpdatePosition","data":{"client_id":"a","map_id":1,"x":1,"y":1}}""");
        await peer.ExpectPeersAsync("a");

        var started = DateTime.UtcNow;
        await using var returning = await TestClient.ConnectAsync(server);
        await returning.MoveAsync("a", 1, 1);
        await returning.ExpectPeersAsync("peer");
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(9));

        await peer.SendRelayAsync("SendOffer", "a", "offer", "to the returning one");
        Assert.Equal("to the returning one", (await returning.ExpectAsync("ReceiveOffer")).Data!["offer"]!.GetValue<string>());

        // The old socket was closed with 4000 behind the frames it never read.
        RawWebSocketClient.Frame frame;
        while ((frame = await frozen.ReceiveFrameAsync()).Opcode != 0x8)
        {
        }

        Assert.Equal(4000, (frame.Payload[0] << 8) | frame.Payload[1]);
    }

    [Fact]
    public async Task Under_probe_a_crowd_of_impostors_costs_the_owner_nothing_but_pings()
    {
        await using var server = await TestServer.StartAsync(FastProbe);
        await using var owner = await TestClient.JoinAsync(server, "victim", 0, 0);

        var impostors = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => TestClient.ConnectAsync(server)));
        await Task.WhenAll(impostors.Select(impostor => impostor.MoveAsync("victim", 1, 1)));
        foreach (var impostor in impostors)
        {
            Assert.Equal(ProtocolErrors.ClientIdInUse("victim"), await impostor.ExpectErrorAsync());
            await impostor.DisposeAsync();
        }

        Assert.Empty(await owner.RefreshAsync());
        Assert.False(owner.Closed.IsCompleted);
    }

    [Fact]
    public async Task Under_probe_a_live_hub_connection_keeps_its_id()
    {
        await using var server = await TestServer.StartAsync(FastProbe);
        await using var owner = await HubTestClient.JoinAsync(server, "x", 0, 0);

        await using var impostor = await TestClient.ConnectAsync(server);
        await impostor.MoveAsync("x", 0, 0);

        Assert.Equal(ProtocolErrors.ClientIdInUse("x"), await impostor.ExpectErrorAsync());
        await using var peer = await TestClient.JoinAsync(server, "peer", 1, 1);
        await owner.ExpectPeersAsync("peer");
        await peer.SendRelayAsync("SendOffer", "x", "offer", "still yours");
        Assert.Equal("still yours", (await owner.ExpectAsync("ReceiveOffer")).GetProperty("offer").GetString());
    }

    [Fact]
    public async Task Under_replace_a_new_connection_takes_over_a_live_client_id_at_once()
    {
        await using var server = await TestServer.StartAsync(("IdentityTakeover", "Replace"));
        await using var peer = await TestClient.JoinAsync(server, "peer", 0, 0);
        await using var old = await TestClient.JoinAsync(server, "a", 1, 1);
        await peer.ExpectPeersAsync("a");

        await using var fresh = await TestClient.ConnectAsync(server);
        await fresh.MoveAsync("a", 2, 2);
        await fresh.ExpectPeersAsync("peer");

        var (status, reason) = await old.ExpectClosedAsync();
        Assert.Equal(4000, (int)status!);
        Assert.Contains("Replaced", reason, StringComparison.Ordinal);

        // The old socket closing did not remove the live client, and relays reach the new one.
        Assert.Equal(["a"], await peer.RefreshAsync());
        await peer.SendRelayAsync("SendOffer", "a", "offer", "to the new one");
        Assert.Equal("to the new one", (await fresh.ExpectAsync("ReceiveOffer")).Data!["offer"]!.GetValue<string>());
    }

    [Fact]
    public async Task Under_replace_the_newer_connection_wins_across_transports()
    {
        await using var server = await TestServer.StartAsync(("IdentityTakeover", "Replace"));
        await using var old = await TestClient.JoinAsync(server, "x", 0, 0);

        await using var newer = await HubTestClient.JoinAsync(server, "x", 0, 0);

        Assert.Equal((System.Net.WebSockets.WebSocketCloseStatus)4000, (await old.ExpectClosedAsync()).Status);
        await using var rawAgain = await TestClient.JoinAsync(server, "x", 0, 0);
        Assert.Contains("Replaced", (await newer.ExpectAsync("Error")).GetString(), StringComparison.Ordinal);
        await newer.WaitClosedAsync();
    }
}
