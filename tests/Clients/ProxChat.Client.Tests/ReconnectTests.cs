namespace ProxChat.Client.Tests;

/// <summary>The client against a real node that goes away, times it out, or hands its id to a newer connection.</summary>
public class ReconnectTests
{
    [Fact]
    public async Task After_the_node_restarts_both_clients_come_back_with_their_ids_and_positions()
    {
        var node = await ServerNode.StartAsync();
        await using var _ = node;
        var (alice, aliceHears) = await TestClients.JoinAsync(node.WebSocketAddress, "alice", 0, 0);
        var (bob, bobHears) = await TestClients.JoinAsync(node.WebSocketAddress, "bob", 5, 5);
        await using var __ = alice;
        await using var ___ = bob;
        await aliceHears.WaitForPeersAsync("bob");

        await node.StopAsync();
        var lost = await aliceHears.WaitForAsync<DisconnectedEventArgs>();
        Assert.Equal((CloseReason.GoingAway, 1001, true), (lost.Reason, lost.CloseCode, lost.WillReconnect));
        await Eventually.HoldsAsync(() => alice.State == ProxChatConnectionState.Reconnecting || alice.State == ProxChatConnectionState.Connected, () => $"alice is {alice.State}");
        var aliceMark = aliceHears.Count;
        var bobMark = bobHears.Count;
        await node.StartAgainAsync();

        // The new node knows nothing: only the re-sent positions can introduce them again.
        await aliceHears.WaitForAsync<ConnectedEventArgs>(c => c.IsReconnect, aliceMark);
        await bobHears.WaitForAsync<ConnectedEventArgs>(c => c.IsReconnect, bobMark);
        await aliceHears.WaitForAsync<NearbyPeersEventArgs>(e => e.PeerIds.SequenceEqual(["bob"]), aliceMark);
        await bobHears.WaitForAsync<NearbyPeersEventArgs>(e => e.PeerIds.SequenceEqual(["alice"]), bobMark);
        await alice.SendOfferAsync("bob", "after the restart");
        Assert.Equal("after the restart", (await bobHears.WaitForAsync<OfferReceivedEventArgs>()).Offer);
        Assert.Empty(aliceHears.Of<ClosedEventArgs>());
    }

    [Fact]
    public async Task A_client_the_server_timed_out_reconnects()
    {
        await using var node = await ServerNode.StartAsync(("ClientTimeoutSeconds", "1"));
        var (alice, aliceHears) = await TestClients.JoinAsync(node.WebSocketAddress, "alice", 0, 0, options => options.KeepAliveInterval = Timeout.InfiniteTimeSpan);
        await using var _ = alice;

        var lost = await aliceHears.WaitForAsync<DisconnectedEventArgs>();

        Assert.Equal((CloseReason.Timeout, 4001, true), (lost.Reason, lost.CloseCode, lost.WillReconnect));
        await aliceHears.WaitForAsync<ConnectedEventArgs>(c => c.IsReconnect);
    }

    [Fact]
    public async Task The_keep_alive_holds_an_idle_client_past_the_servers_timeout()
    {
        await using var node = await ServerNode.StartAsync(("ClientTimeoutSeconds", "1"));
        var (idle, idleHears) = await TestClients.JoinAsync(node.WebSocketAddress, "idle", 0, 0, options => options.KeepAliveInterval = TimeSpan.FromMilliseconds(250));
        var (silent, silentHears) = await TestClients.JoinAsync(node.WebSocketAddress, "silent", 100, 100, options => options.KeepAliveInterval = Timeout.InfiniteTimeSpan);
        await using var _ = idle;
        await using var __ = silent;

        // By the time a client without keep-alive was timed out twice, the idle one stood still
        // for well over the timeout: it must not have been.
        await Eventually.HoldsAsync(
            () => silentHears.Of<DisconnectedEventArgs>().Count(d => d.Reason == CloseReason.Timeout) >= 2,
            () => $"the silent client heard {silentHears.Describe()}");

        Assert.Empty(idleHears.Of<DisconnectedEventArgs>());
        Assert.Equal(ProxChatConnectionState.Connected, idle.State);
    }

    [Fact]
    public async Task A_replaced_client_closes_with_reason_replaced_and_does_not_take_its_id_back()
    {
        await using var node = await ServerNode.StartAsync(("IdentityTakeover", "Replace"));
        var (old, oldHears) = await TestClients.JoinAsync(node.WebSocketAddress, "player", 0, 0);
        var (carol, carolHears) = await TestClients.JoinAsync(node.WebSocketAddress, "carol", 2, 2);
        await using var _ = old;
        await using var __ = carol;
        await carolHears.WaitForPeersAsync("player");

        var (newer, newerHears) = await TestClients.JoinAsync(node.WebSocketAddress, "player", 1, 1);
        await using var ___ = newer;

        var closed = await oldHears.WaitForAsync<ClosedEventArgs>();
        Assert.Equal((CloseReason.Replaced, 4000), (closed.Reason, closed.CloseCode));
        var lost = Assert.Single(oldHears.Of<DisconnectedEventArgs>());
        Assert.False(lost.WillReconnect);
        Assert.Equal(ProxChatConnectionState.Closed, old.State);
        Assert.Single(oldHears.Of<ConnectedEventArgs>());

        // The id stays with the newer connection: relays to it reach the newer one.
        await carol.SendOfferAsync("player", "to the newer one");
        Assert.Equal("to the newer one", (await newerHears.WaitForAsync<OfferReceivedEventArgs>()).Offer);
        Assert.Empty(newerHears.Of<DisconnectedEventArgs>());
    }

    [Fact]
    public async Task The_first_connect_to_no_server_throws_and_leaves_the_client_ready_to_try_again()
    {
        var node = await ServerNode.StartAsync();
        var address = node.WebSocketAddress;
        await node.StopAsync();
        var client = TestClients.Create(address, "alice");
        await using var _ = client;

        var failure = await Assert.ThrowsAsync<ProxChatConnectException>(() => client.ConnectAsync());

        Assert.Equal(CloseReason.ConnectFailed, failure.Reason);
        Assert.Equal(ProxChatConnectionState.Disconnected, client.State);
    }

    [Fact]
    public async Task Disconnecting_while_reconnecting_stops_the_attempts()
    {
        var node = await ServerNode.StartAsync();
        var (alice, aliceHears) = await TestClients.JoinAsync(node.WebSocketAddress, "alice", 0, 0);
        await using var _ = alice;
        await node.StopAsync();
        await aliceHears.WaitForAsync<ProxChatErrorEventArgs>(e => e.Kind == ProxChatErrorKind.ConnectFailed);
        Assert.Equal(ProxChatConnectionState.Reconnecting, alice.State);

        await alice.DisconnectAsync();

        Assert.Equal(ProxChatConnectionState.Closed, alice.State);
        Assert.Equal(CloseReason.ClientClosed, Assert.Single(aliceHears.Of<ClosedEventArgs>()).Reason);
        await Assert.ThrowsAsync<InvalidOperationException>(() => alice.RequestPeerRefreshAsync());
        Assert.Single(aliceHears.Of<ConnectedEventArgs>());
    }
}
