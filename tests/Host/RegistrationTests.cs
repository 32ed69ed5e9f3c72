using System.Text.Json.Nodes;

namespace ProxChat.Host.Tests;

public class RegistrationTests
{
    [Theory]
    [InlineData("SendOffer")]
    [InlineData("SendAnswer")]
    [InlineData("SendIceCandidate")]
    [InlineData("RequestPeerRefresh")]
    [InlineData("Disconnect")]
    public async Task Anything_before_UpdatePosition_gets_an_error_and_is_not_acted_on(string type)
    {
        await using var server = await TestServer.StartAsync(("RelayPolicy", "Any"));
        await using var target = await TestClient.JoinAsync(server, "target", 0, 0);
        await using var client = await TestClient.ConnectAsync(server);

        var field = type switch { "SendOffer" => "offer", "SendAnswer" => "answer", _ => "candidate" };
        await client.SendAsync(type, new JsonObject { ["target_id"] = "target", [field] = "x" });

        Assert.Equal("Client must send UpdatePosition first.", await client.ExpectErrorAsync());

        // Still open and still unregistered: registering works and is answered as a first time.
        await client.MoveAsync("late", 1000, 1000);
        await client.ExpectPeersAsync();
        Assert.Empty(await target.RefreshAsync());
        await client.SendRelayAsync("SendOffer", "target", "offer", "after");
        Assert.Equal("after", (await target.ExpectAsync("ReceiveOffer")).Data!["offer"]!.GetValue<string>());
    }

    [Fact]
    public async Task First_UpdatePosition_is_answered_with_NearbyPeers_even_when_empty()
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await TestClient.ConnectAsync(server);
        await a.MoveAsync("a", 0, 0);
        await a.ExpectPeersAsync();

        await using var b = await TestClient.ConnectAsync(server);
        await b.MoveAsync("b", 3, 4);
        await b.ExpectPeersAsync("a");
        await a.ExpectPeersAsync("b");
    }

    [Theory]
    [InlineData("", "UpdatePosition: 'client_id' must not be empty.")]
    [InlineData(null, "UpdatePosition: 'client_id' must be at most 128 characters.")]
    public async Task Client_id_must_be_non_empty_and_at_most_128_characters(string? id, string error)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await TestClient.ConnectAsync(server);

        await client.MoveAsync(id ?? new string('x', 129), 0, 0);
        Assert.Equal(error, await client.ExpectErrorAsync());

        await client.SendAsync("RequestPeerRefresh");
        Assert.Equal("Client must send UpdatePosition first.", await client.ExpectErrorAsync());

        await client.MoveAsync(new string('x', 128), 0, 0);
        await client.ExpectPeersAsync();
    }

    [Fact]
    public async Task Client_id_cannot_change_on_a_connection()
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1000, 1000);

        await a.MoveAsync("impostor", 1000, 1000);

        Assert.Equal("client_id cannot change on a connection; this connection is registered as 'a'.", await a.ExpectErrorAsync());
        Assert.Empty(await b.RefreshAsync()); // the update was ignored, not applied under either id

        await a.MoveAsync("a", 1001, 1001);
        await b.ExpectPeersAsync("a");
    }

    [Fact]
    public async Task A_takeover_after_the_old_connection_dropped_leaves_one_entry_in_peer_lists()
    {
        await using var server = await TestServer.StartAsync();
        await using var peer = await TestClient.JoinAsync(server, "peer", 0, 0);
        var old = await TestClient.JoinAsync(server, "a", 1, 1);
        await peer.ExpectPeersAsync("a");

        await old.DisposeAsync();
        await using var fresh = await TestClient.JoinAsync(server, "a", 1, 1);

        await peer.WaitForPeersAsync("a");
        Assert.Equal(["a"], await peer.RefreshAsync());
    }

    [Fact]
    public async Task Sender_id_is_the_registered_id_never_the_payloads()
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await a.ExpectPeersAsync("b");

        await a.SendAsync("SendOffer", new JsonObject { ["target_id"] = "b", ["offer"] = "o", ["sender_id"] = "mallory" });

        Assert.Equal("a", (await b.ExpectAsync("ReceiveOffer")).SenderId);
    }
}
