using System.Net.WebSockets;
using System.Text.Json.Nodes;

namespace ProxChat.Host.Tests;

public class ProximityIntegrationTests
{
    [Fact]
    public async Task Hysteresis_20_25_over_real_sockets_tells_both_sides_every_change()
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 21, 0);
        Assert.Empty(await b.RefreshAsync());

        await b.MoveAsync(12, 16); // exactly 20
        await b.ExpectPeersAsync("a");
        await a.ExpectPeersAsync("b");

        await b.MoveAsync(7, 24); // exactly 25: still linked, nobody is told anything
        Assert.Equal(["a"], await b.RefreshAsync());
        Assert.Equal(["b"], await a.RefreshAsync());

        await b.MoveAsync(26, 0);
        await b.ExpectPeersAsync();
        await a.ExpectPeersAsync();

        await b.MoveAsync(21, 0); // back in the band, unlinked: stays unlinked
        Assert.Empty(await b.RefreshAsync());
    }

    [Theory]
    [InlineData(2, 0, 0)]
    [InlineData(1, 1, 0)]
    [InlineData(1, 0, 1)]
    public async Task Only_equal_game_channel_and_map_are_candidates(int mapId, int channel, int gameId)
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0, mapId: 1, channel: 0, gameId: 0);
        await using var b = await TestClient.JoinAsync(server, "b", 0, 0, mapId, channel, gameId);

        Assert.Empty(await a.RefreshAsync());
        Assert.Empty(await b.RefreshAsync());
    }

    [Fact]
    public async Task Clients_that_omit_channel_and_game_id_meet_clients_that_send_zeros()
    {
        await using var server = await TestServer.StartAsync();
        await using var seed = await TestClient.ConnectAsync(server);
        await seed.SendTextAsync("""{"type":"UpdatePosition","data":{"client_id":"seed","map_id":3,"x":5,"y":5}}""");
        await seed.ExpectPeersAsync();

        await using var desktop = await TestClient.ConnectAsync(server);
        await desktop.SendTextAsync("""{"type":"UpdatePosition","data":{"client_id":"desktop","map_id":3,"x":6,"y":6,"channel":0,"game_id":0}}""");
        await desktop.ExpectPeersAsync("seed");
        await seed.ExpectPeersAsync("desktop");

        // The desktop client writes "data": null for messages without payload.
        await desktop.SendTextAsync("""{"type":"RequestPeerRefresh","data":null}""");
        await desktop.ExpectPeersAsync("seed");
        await seed.SendTextAsync("""{"type":"RequestPeerRefresh"}""");
        await seed.ExpectPeersAsync("desktop");
    }

    [Fact]
    public async Task Changing_map_unlinks_and_both_sides_are_told()
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await a.ExpectPeersAsync("b");

        await b.MoveAsync(1, 1, mapId: 2);

        await b.ExpectPeersAsync();
        await a.ExpectPeersAsync();
    }

    [Fact]
    public async Task Disconnect_removes_the_client_tells_its_peers_and_closes_normally()
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await a.ExpectPeersAsync("b");

        await b.SendTextAsync("""{"type":"Disconnect","data":null}""");

        await a.ExpectPeersAsync();
        var (status, _) = await b.ExpectClosedAsync();
        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
    }

    [Fact]
    public async Task An_abrupt_drop_removes_the_client_and_tells_its_peers()
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await a.ExpectPeersAsync("b");

        b.Abort();
        await b.DisposeAsync();

        await a.ExpectPeersAsync();
        await a.SendRelayAsync("SendOffer", "b", "offer", "x");
        Assert.Equal("Client b not found", await a.ExpectErrorAsync());
    }

    [Fact]
    public async Task RequestPeerRefresh_answers_with_the_current_set()
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await using var c = await TestClient.JoinAsync(server, "c", -1, -1);

        await a.SendAsync(new JsonObject { ["type"] = "RequestPeerRefresh" });

        await a.WaitForPeersAsync("b", "c");
    }
}
