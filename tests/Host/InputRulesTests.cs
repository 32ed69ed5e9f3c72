using ProxChat.Transport.Protocol;

namespace ProxChat.Host.Tests;

/// <summary>Ids no one can mistake for another's, one meaning per message, and throttling told once.</summary>
public sealed class InputRulesTests
{
    [Theory]
    [InlineData("a\u0000b")] // NUL
    [InlineData("ali\u200Bce")] // zero-width space
    [InlineData("\u202Eecila")] // right-to-left override
    [InlineData("   ")] // only whitespace
    [InlineData("\u3000\t")] // ideographic space and a tab (a control character too)
    [InlineData("tag\U000E0041")] // a language tag, beyond the BMP
    [InlineData("\u00A0")] // no-break space alone
    public async Task A_client_id_with_control_or_format_characters_or_only_whitespace_is_refused(string clientId)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await TestClient.ConnectAsync(server);

        await client.MoveAsync(clientId, 0, 0);

        Assert.Equal(ProtocolErrors.ClientIdInvalidCharacters, await client.ExpectErrorAsync());
        await client.SendAsync("RequestPeerRefresh");
        Assert.Equal(ProtocolErrors.NotRegistered, await client.ExpectErrorAsync());
    }

    [Theory]
    [InlineData("Zoë")]
    [InlineData("player one")]
    [InlineData("🎮 gamer")]
    [InlineData("игрок")]
    public async Task A_client_id_of_any_visible_characters_is_accepted(string clientId)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await TestClient.JoinAsync(server, clientId, 0, 0);
        await using var peer = await TestClient.JoinAsync(server, "peer", 1, 1);

        await client.ExpectPeersAsync("peer");
        Assert.Equal([clientId], await peer.RefreshAsync());
    }

    [Theory]
    [InlineData("""{"type":"UpdatePosition","type":"Disconnect","data":{"client_id":"a","map_id":1,"x":0,"y":0}}""", "type")]
    [InlineData("""{"type":"UpdatePosition","data":{"client_id":"a","map_id":1,"x":0,"y":0},"data":null}""", "data")]
    [InlineData("""{"type":"UpdatePosition","data":{"client_id":"a","map_id":1,"x":0,"x":5,"y":0}}""", "x")]
    [InlineData("""{"type":"UpdatePosition","data":{"client_id":"a","client_id":"b","map_id":1,"x":0,"y":0}}""", "client_id")]
    public async Task A_property_given_twice_is_refused_rather_than_read_either_way(string message, string property)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await TestClient.ConnectAsync(server);

        await client.SendTextAsync(message);

        Assert.Equal(ProtocolErrors.DuplicateProperty(property), await client.ExpectErrorAsync());
    }

    [Fact]
    public async Task A_relay_with_its_payload_given_twice_is_refused()
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await a.ExpectPeersAsync("b");

        await a.SendTextAsync("""{"type":"SendOffer","data":{"target_id":"b","offer":"one","offer":"two"}}""");

        Assert.Equal(ProtocolErrors.DuplicateProperty("offer"), await a.ExpectErrorAsync());
        Assert.Null(await b.TryNextAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task A_sustained_flood_is_told_once_not_every_time_a_token_comes_back()
    {
        await using var server = await TestServer.StartAsync(("MessageRateLimit", "100"), ("MessageBurst", "1000"));
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await a.ExpectPeersAsync("b");

        // Far over 100 a second for well over a second: the refill admits one every 10 ms, each
        // of which used to end the run and bring another Error. A run ends only once the bucket
        // is half full again, five seconds of quiet at this size: no stall of a loaded machine
        // ends it by accident.
        var flooding = DateTime.UtcNow;
        var sent = 0;
        while (DateTime.UtcNow - flooding < TimeSpan.FromSeconds(1.5))
        {
            await a.SendRelayAsync("SendIceCandidate", "b", "candidate", $"c{sent++}");
        }

        await a.SendAsync("RequestPeerRefresh");
        var errors = 0;
        TestClient.Received? next;
        while ((next = await a.TryNextAsync(TimeSpan.FromSeconds(1))) is not null)
        {
            if (next.Type == "Error")
            {
                Assert.Equal(ProtocolErrors.TooManyMessages(100), next.Data!.GetValue<string>());
                errors++;
            }
        }

        Assert.True(sent > 3_000, $"the flood was too slow to test anything ({sent} messages)");
        Assert.Equal(1, errors);
    }

    [Fact]
    public async Task Relays_past_the_byte_budget_are_refused_with_one_error_and_the_connection_stays()
    {
        // A burst of 16 messages of MaxMessageBytes (16 × 4 KiB), refilled at 4 KiB a second.
        await using var server = await TestServer.StartAsync(("MaxMessageBytes", "4096"), ("RelayBytesPerSecond", "4096"), ("MessageRateLimit", "0"));
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await a.ExpectPeersAsync("b");
        var offer = new string('o', 4000);

        for (var i = 0; i < 24; i++)
        {
            await a.SendRelayAsync("SendOffer", "b", "offer", $"{i:D2}{offer}");
        }

        Assert.Equal(ProtocolErrors.RelayBytesExceeded(4096), await a.ExpectErrorAsync());
        var delivered = 0;
        while (await b.TryNextAsync(TimeSpan.FromMilliseconds(500)) is { Type: "ReceiveOffer" })
        {
            delivered++;
        }

        // Sixteen in the burst, and one more for each second the refill had meanwhile.
        Assert.InRange(delivered, 16, 18);
        Assert.Equal(["b"], await a.RefreshAsync());
    }
}
