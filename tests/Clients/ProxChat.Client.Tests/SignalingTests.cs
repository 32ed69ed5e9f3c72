namespace ProxChat.Client.Tests;

/// <summary>The client against a real node: introductions, relays, server errors, leaving.</summary>
public class SignalingTests
{
    [Fact]
    public async Task Two_clients_are_introduced_and_relay_offer_answer_and_candidate()
    {
        await using var node = await ServerNode.StartAsync();
        var (alice, aliceHears) = await TestClients.JoinAsync(node.WebSocketAddress, "alice", 0, 0);
        var (bob, bobHears) = await TestClients.JoinAsync(node.WebSocketAddress, "bob", 3, 4);
        await using var _ = alice;
        await using var __ = bob;

        await aliceHears.WaitForPeersAsync("bob");
        await bobHears.WaitForPeersAsync("alice");
        Assert.Equal(["bob"], alice.NearbyPeers);

        const string sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\na=fingerprint:sha-256 AB:CD+/=\r\n\"quoted\" ünïcödé 🎧";
        await alice.SendOfferAsync("bob", sdp);
        var offer = await bobHears.WaitForAsync<OfferReceivedEventArgs>();
        Assert.Equal(("alice", sdp), (offer.SenderId, offer.Offer));

        await bob.SendAnswerAsync("alice", "answer-sdp");
        var answer = await aliceHears.WaitForAsync<AnswerReceivedEventArgs>();
        Assert.Equal(("bob", "answer-sdp"), (answer.SenderId, answer.Answer));

        await bob.SendIceCandidateAsync("alice", "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host");
        var candidate = await aliceHears.WaitForAsync<IceCandidateReceivedEventArgs>();
        Assert.Equal(("bob", "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host"), (candidate.SenderId, candidate.Candidate));
    }

    [Fact]
    public async Task Moving_away_and_back_is_heard_by_both()
    {
        await using var node = await ServerNode.StartAsync();
        var (alice, aliceHears) = await TestClients.JoinAsync(node.WebSocketAddress, "alice", 0, 0);
        var (bob, bobHears) = await TestClients.JoinAsync(node.WebSocketAddress, "bob", 10, 0);
        await using var _ = alice;
        await using var __ = bob;
        await bobHears.WaitForPeersAsync("alice");

        var mark = bobHears.Count;
        alice.UpdatePosition(1, 500, 0);
        await bobHears.WaitForAsync<NearbyPeersEventArgs>(e => e.PeerIds.Count == 0, mark);

        mark = aliceHears.Count;
        alice.UpdatePosition(1, 12, 0);
        await aliceHears.WaitForAsync<NearbyPeersEventArgs>(e => e.PeerIds.SequenceEqual(["bob"]), mark);
    }

    [Fact]
    public async Task The_servers_errors_arrive_as_error_events_and_the_connection_stays()
    {
        await using var node = await ServerNode.StartAsync();
        var (alice, aliceHears) = await TestClients.JoinAsync(node.WebSocketAddress, "alice", 0, 0);
        await using var _ = alice;

        await alice.SendOfferAsync("ghost", "o");

        var error = await aliceHears.WaitForAsync<ProxChatErrorEventArgs>();
        Assert.Equal(ProxChatErrorKind.Server, error.Kind);
        Assert.Equal("Client ghost not found", error.Message);
        var mark = aliceHears.Count;
        await alice.RequestPeerRefreshAsync();
        await aliceHears.WaitForAsync<NearbyPeersEventArgs>(from: mark);
        Assert.Equal(ProxChatConnectionState.Connected, alice.State);
    }

    [Fact]
    public async Task Concurrent_sends_from_many_threads_each_arrive_whole_and_in_order_per_sender()
    {
        // No rate limits: the test is about the client's frames, not the server's budgets.
        await using var node = await ServerNode.StartAsync(("MessageRateLimit", "0"), ("RelayBytesPerSecond", "0"));
        var (alice, _) = await TestClients.JoinAsync(node.WebSocketAddress, "alice", 0, 0);
        var (bob, bobHears) = await TestClients.JoinAsync(node.WebSocketAddress, "bob", 1, 1);
        await using var a = alice;
        await using var b = bob;
        await bobHears.WaitForPeersAsync("alice");
        const int Senders = 8;
        const int EachSends = 40;
        var padding = new string('x', 200);

        // Each sender awaits its own sends in turn; the senders race each other on one socket.
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(sender => Task.Run(async () =>
        {
            for (var i = 0; i < EachSends; i++)
            {
                await alice.SendOfferAsync("bob", $"{sender}:{i}:{padding}");
            }
        })));

        await Eventually.HoldsAsync(
            () => bobHears.Of<OfferReceivedEventArgs>().Count == Senders * EachSends,
            () => $"{bobHears.Of<OfferReceivedEventArgs>().Count} of {Senders * EachSends} offers arrived");
        var offers = bobHears.Of<OfferReceivedEventArgs>().Select(o => o.Offer.Split(':')).ToList();
        Assert.All(offers, parts => Assert.Equal(padding, parts[2]));
        foreach (var bySender in offers.GroupBy(parts => parts[0]))
        {
            Assert.Equal(Enumerable.Range(0, EachSends).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), bySender.Select(parts => parts[1]));
        }

        Assert.Empty(bobHears.Of<ProxChatErrorEventArgs>());
    }

    [Fact]
    public async Task Disconnect_tells_the_peers_at_once_and_the_client_closes_without_reconnecting()
    {
        await using var node = await ServerNode.StartAsync();
        var (alice, aliceHears) = await TestClients.JoinAsync(node.WebSocketAddress, "alice", 0, 0);
        var (bob, bobHears) = await TestClients.JoinAsync(node.WebSocketAddress, "bob", 1, 1);
        await using var _ = alice;
        await using var __ = bob;
        await bobHears.WaitForPeersAsync("alice");
        var mark = bobHears.Count;

        await alice.DisconnectAsync();

        var closed = Assert.Single(aliceHears.Of<ClosedEventArgs>());
        Assert.Equal(CloseReason.ClientClosed, closed.Reason);
        Assert.Equal(1000, closed.CloseCode);
        Assert.False(Assert.Single(aliceHears.Of<DisconnectedEventArgs>()).WillReconnect);
        Assert.Equal(ProxChatConnectionState.Closed, alice.State);
        Assert.Empty(alice.NearbyPeers);
        await bobHears.WaitForAsync<NearbyPeersEventArgs>(e => e.PeerIds.Count == 0, mark);
        await Assert.ThrowsAsync<InvalidOperationException>(() => alice.SendOfferAsync("bob", "o"));
    }

    [Fact]
    public async Task A_closed_client_can_connect_again()
    {
        await using var node = await ServerNode.StartAsync();
        var (alice, aliceHears) = await TestClients.JoinAsync(node.WebSocketAddress, "alice", 0, 0);
        var (bob, bobHears) = await TestClients.JoinAsync(node.WebSocketAddress, "bob", 1, 1);
        await using var _ = alice;
        await using var __ = bob;
        await alice.DisconnectAsync();
        var mark = bobHears.Count;

        await alice.ConnectAsync();

        await bobHears.WaitForAsync<NearbyPeersEventArgs>(e => e.PeerIds.SequenceEqual(["alice"]), mark);
        Assert.Equal(ProxChatConnectionState.Connected, alice.State);
        await Eventually.HoldsAsync(
            () => aliceHears.Of<ConnectedEventArgs>().Count(c => !c.IsReconnect) == 2,
            () => $"alice heard {aliceHears.Describe()}");
    }
}
