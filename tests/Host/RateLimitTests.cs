using ProxChat.Host.Tests.Hubs;
using ProxChat.Transport.Protocol;

namespace ProxChat.Host.Tests;

/// <summary>A client sending faster than MessageRateLimit has its messages dropped, is told once, and slows no one else.</summary>
public sealed class RateLimitTests
{
    // A burst of 20, then one message a second: a flood sent in milliseconds meets an empty bucket,
    // and the bucket has not refilled by the time the test looks. No reintroductions: each client
    // hears only what the test makes it hear.
    private static readonly (string Key, string Value)[] SlowBucket = [("MessageRateLimit", "1"), ("MessageBurst", "20"), ("ReintroductionIntervalSeconds", "0")];

    [Fact]
    public async Task A_flooding_client_has_its_messages_dropped_past_its_burst_and_is_told_once()
    {
        await using var server = await TestServer.StartAsync(SlowBucket);
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await a.ExpectPeersAsync("b");

        for (var i = 0; i < 60; i++)
        {
            await a.SendRelayAsync("SendIceCandidate", "b", "candidate", $"c{i}");
        }

        // Moves take no token: twenty candidates went through, in order.
        Assert.Equal(ProtocolErrors.TooManyMessages(1), await a.ExpectErrorAsync());
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal($"c{i}", (await b.ExpectAsync("ReceiveIceCandidate")).Data!["candidate"]!.GetValue<string>());
        }

        // b has a bucket of its own.
        await b.SendRelayAsync("SendOffer", "a", "offer", "from b");
        Assert.Equal("from b", (await a.ExpectAsync("ReceiveOffer")).Data!["offer"]!.GetValue<string>());

        // Once the bucket has a token again (time itself is under test here), a's next message is
        // handled; the ones dropped before it brought no second Error.
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        await a.SendRelayAsync("SendIceCandidate", "b", "candidate", "after");
        while ((await b.ExpectAsync("ReceiveIceCandidate")).Data!["candidate"]!.GetValue<string>() != "after")
        {
            // A candidate let through by a token that came while the flood was still being read.
        }

        Assert.Null(await a.TryNextAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Bad_input_is_not_counted_and_each_message_still_gets_its_error()
    {
        await using var server = await TestServer.StartAsync(SlowBucket);
        await using var noisy = await TestClient.ConnectAsync(server);

        for (var i = 0; i < 60; i++)
        {
            await noisy.SendTextAsync("[]");
        }

        for (var i = 0; i < 60; i++)
        {
            Assert.Equal(ProtocolErrors.NotAnObject, await noisy.ExpectErrorAsync());
        }

        // Nor are messages before registration; the budget is whole for what comes after it.
        for (var i = 0; i < 30; i++)
        {
            await noisy.SendAsync("RequestPeerRefresh");
            Assert.Equal(ProtocolErrors.NotRegistered, await noisy.ExpectErrorAsync());
        }

        await noisy.MoveAsync("noisy", 0, 0);
        await noisy.ExpectPeersAsync();
        for (var i = 0; i < 20; i++)
        {
            Assert.Empty(await noisy.RefreshAsync());
        }

        await noisy.SendAsync("RequestPeerRefresh");
        Assert.Equal(ProtocolErrors.TooManyMessages(1), await noisy.ExpectErrorAsync());
    }

    [Fact]
    public async Task Hub_clients_have_the_same_limit()
    {
        await using var server = await TestServer.StartAsync(SlowBucket);
        await using var a = await HubTestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await a.ExpectPeersAsync("b");

        for (var i = 0; i < 30; i++)
        {
            await a.RelayAsync("SendIceCandidate", "b", "candidate", $"c{i}");
        }

        Assert.Equal(ProtocolErrors.TooManyMessages(1), (await a.ExpectAsync("Error")).GetString());
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal($"c{i}", (await b.ExpectAsync("ReceiveIceCandidate")).Data!["candidate"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Moves_are_not_counted_so_a_client_moving_at_any_rate_keeps_its_relays()
    {
        await using var server = await TestServer.StartAsync(SlowBucket);
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await a.ExpectPeersAsync("b");

        for (var i = 0; i < 100; i++)
        {
            await a.MoveAsync(i % 2, 0);
        }

        await a.SendRelayAsync("SendOffer", "b", "offer", "still heard");
        Assert.Equal("still heard", (await b.ExpectAsync("ReceiveOffer")).Data!["offer"]!.GetValue<string>());
        Assert.Null(await a.TryNextAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Moves_faster_than_the_position_rate_are_placed_at_its_pace_and_the_newest_wins()
    {
        // A move a second at most.
        await using var server = await TestServer.StartAsync(("PositionRateLimit", "1"), ("ReintroductionIntervalSeconds", "0"));
        await using var b = await TestClient.JoinAsync(server, "b", 0, 0);
        await using var a = await TestClient.JoinAsync(server, "a", 1000, 0);

        // In and out of b's range a hundred times, each move placed would link or unlink the pair;
        // then a stop just beside b.
        for (var i = 0; i < 100; i++)
        {
            await a.MoveAsync(i % 2 == 0 ? 1 : 1000, 0);
        }

        await a.MoveAsync(1, 1);

        // The first move is placed at once and the newest a second later: b hears of one or two
        // changes, not a hundred, and ends linked. Read until b, linked, has heard nothing for
        // longer than the pace (a stalled test process can stretch a gap between two sets).
        var sets = new List<string[]>();
        var deadline = DateTime.UtcNow + TestClient.Deadline;
        while (DateTime.UtcNow < deadline)
        {
            if (await b.TryNextAsync(TimeSpan.FromSeconds(1.5)) is { Type: "NearbyPeers" } set)
            {
                sets.Add(set.Peers!);
            }
            else if (sets is [.., ["a"]])
            {
                break;
            }
        }

        Assert.Equal(["a"], sets[^1]);
        Assert.InRange(sets.Count, 1, 4);
    }

    [Fact]
    public async Task A_rate_limit_of_zero_lets_every_message_through()
    {
        await using var server = await TestServer.StartAsync(("MessageRateLimit", "0"), ("MessageBurst", "1"));
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await a.ExpectPeersAsync("b");

        for (var i = 0; i < 50; i++)
        {
            await a.SendRelayAsync("SendIceCandidate", "b", "candidate", $"c{i}");
        }

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal($"c{i}", (await b.ExpectAsync("ReceiveIceCandidate")).Data!["candidate"]!.GetValue<string>());
        }
    }
}
