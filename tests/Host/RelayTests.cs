namespace ProxChat.Host.Tests;

public class RelayTests
{
    [Theory]
    [InlineData("SendOffer", "offer", "ReceiveOffer")]
    [InlineData("SendAnswer", "answer", "ReceiveAnswer")]
    [InlineData("SendIceCandidate", "candidate", "ReceiveIceCandidate")]
    public async Task Relays_carry_the_payload_verbatim_with_the_senders_id(string type, string field, string received)
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await a.ExpectPeersAsync("b");
        const string payload = "v=0\r\n\"quoted\" \\ back </script> & ünïcödé 𝄞 🎧 \u0001 \u2028";

        await a.SendRelayAsync(type, "b", field, payload);

        var message = await b.ExpectAsync(received);
        Assert.Equal("a", message.SenderId);
        Assert.Equal(payload, message.Data![field]!.GetValue<string>());
        Assert.Equal(2, message.Data!.AsObject().Count);
    }

    [Fact]
    public async Task Relays_from_one_sender_arrive_in_order()
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await a.ExpectPeersAsync("b");

        // All in one burst, as many as MessageBurst (200) lets through at once.
        var sends = Enumerable.Range(0, 150).Select(i => (Type: (i % 3) switch { 0 => "SendOffer", 1 => "SendAnswer", _ => "SendIceCandidate" }, Field: (i % 3) switch { 0 => "offer", 1 => "answer", _ => "candidate" }, Index: i));
        foreach (var (type, field, i) in sends)
        {
            await a.SendRelayAsync(type, "b", field, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        for (var i = 0; i < 150; i++)
        {
            var message = await b.NextAsync();
            var field = (i % 3) switch { 0 => "offer", 1 => "answer", _ => "candidate" };
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), message.Data![field]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Unknown_targets_get_an_error_for_offers_and_answers_and_candidates_are_dropped()
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);

        await a.SendRelayAsync("SendOffer", "ghost", "offer", "o");
        Assert.Equal("Client ghost not found", await a.ExpectErrorAsync());
        await a.SendRelayAsync("SendAnswer", "ghost", "answer", "o");
        Assert.Equal("Client ghost not found", await a.ExpectErrorAsync());
        await a.SendRelayAsync("SendIceCandidate", "ghost", "candidate", "c");
        Assert.Empty(await a.RefreshAsync()); // the next message is the refresh: no error came first
    }

    [Fact]
    public async Task Nearby_policy_refuses_far_targets_and_drops_their_candidates_silently()
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var far = await TestClient.JoinAsync(server, "far", 500, 500);
        await using var near = await TestClient.JoinAsync(server, "near", 1, 1);
        await a.ExpectPeersAsync("near");

        await a.SendRelayAsync("SendOffer", "far", "offer", "o");
        Assert.Equal("Client far is not nearby", await a.ExpectErrorAsync());
        await a.SendRelayAsync("SendIceCandidate", "far", "candidate", "dropped");
        await a.SendRelayAsync("SendOffer", "near", "offer", "delivered");
        Assert.Equal(["near"], await a.RefreshAsync()); // no error for the candidate came before it

        // Messages from one sender arrive in order, so had the candidate gone through it would be first.
        await a.SendRelayAsync("SendOffer", "far", "offer", "o");
        await a.ExpectErrorAsync();
        Assert.Equal("delivered", (await near.ExpectAsync("ReceiveOffer")).Data!["offer"]!.GetValue<string>());
    }

    [Fact]
    public async Task Nearby_policy_relays_during_the_grace_period_after_an_unlink_and_not_after()
    {
        // A grace long enough that a test process stalled for a second or two under load still
        // relays the late answer inside it.
        await using var server = await TestServer.StartAsync(("RelayGraceSeconds", "4"));
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await a.ExpectPeersAsync("b");

        await b.MoveAsync(100, 100);
        await a.ExpectPeersAsync();
        await b.ExpectPeersAsync();
        await a.SendRelayAsync("SendAnswer", "b", "answer", "late answer");
        Assert.Equal("late answer", (await b.ExpectAsync("ReceiveAnswer")).Data!["answer"]!.GetValue<string>());

        var deadline = DateTime.UtcNow + TestClient.Deadline;
        string? refusal = null;
        while (refusal is null && DateTime.UtcNow < deadline)
        {
            await a.SendRelayAsync("SendAnswer", "b", "answer", "probe");
            await a.SendAsync("RequestPeerRefresh");
            var reply = await a.NextAsync();
            if (reply.Type == "Error")
            {
                refusal = reply.Data!.GetValue<string>();
            }
            else
            {
                await Task.Delay(100);
            }
        }

        Assert.Equal("Client b is not nearby", refusal);
    }

    [Fact]
    public async Task Any_policy_relays_to_any_registered_client()
    {
        await using var server = await TestServer.StartAsync(("RelayPolicy", "Any"));
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var far = await TestClient.JoinAsync(server, "far", 0, 0, mapId: 99);

        await a.SendRelayAsync("SendOffer", "far", "offer", "across maps");

        Assert.Equal("across maps", (await far.ExpectAsync("ReceiveOffer")).Data!["offer"]!.GetValue<string>());
    }

    [Fact]
    public async Task Sending_to_yourself_is_refused()
    {
        await using var server = await TestServer.StartAsync(("RelayPolicy", "Any"));
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);

        await a.SendRelayAsync("SendOffer", "a", "offer", "o");

        Assert.Equal("SendOffer: cannot send to yourself.", await a.ExpectErrorAsync());
    }
}
