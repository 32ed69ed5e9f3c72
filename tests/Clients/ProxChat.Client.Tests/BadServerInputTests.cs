using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;

namespace ProxChat.Client.Tests;

/// <summary>Whatever arrives from the server, the client reports it and carries on; it never throws.</summary>
public class BadServerInputTests
{
    [Fact]
    public async Task Garbage_unknown_types_and_binary_frames_raise_error_events_and_the_client_keeps_working()
    {
        var heardByServer = new ConcurrentQueue<string>();
        await using var server = await FakeServer.StartAsync(async (socket, _) =>
        {
            await FakeServer.ReceiveTextAsync(socket); // the registration
            await FakeServer.SendTextAsync(socket, "{{{ not json");
            await FakeServer.SendTextAsync(socket, "[1, 2, 3]");
            await FakeServer.SendTextAsync(socket, """{"data": ["no type"]}""");
            await FakeServer.SendTextAsync(socket, """{"type": "TeleportEveryone", "data": {"x": 1}}""");
            await FakeServer.SendTextAsync(socket, """{"type": "ReceiveOffer", "data": {"sender_id": 5, "offer": "o"}}""");
            await FakeServer.SendTextAsync(socket, """{"type": "NearbyPeers", "data": "everyone"}""");
            await FakeServer.SendTextAsync(socket, """{"type": "Error"}""");
            await socket.SendAsync(new byte[] { 0xff, 0x00, 0x7b }, WebSocketMessageType.Binary, true, CancellationToken.None);
            await FakeServer.SendTextAsync(socket, """{"type": "NearbyPeers", "data": ["bob"], "extra": {"from": "a newer server"}}""");
            await FakeServer.ReadUntilClosedAsync(socket, heardByServer.Enqueue);
        });
        var client = TestClients.Create(server.Address, "alice");
        var events = new ClientEvents(client);
        await using var _ = client;
        client.UpdatePosition(1, 0, 0);
        await client.ConnectAsync();

        await events.WaitForPeersAsync("bob");

        var errors = events.Of<ProxChatErrorEventArgs>();
        Assert.Equal(
            [ProxChatErrorKind.InvalidMessage, ProxChatErrorKind.InvalidMessage, ProxChatErrorKind.InvalidMessage, ProxChatErrorKind.UnknownMessageType,
             ProxChatErrorKind.InvalidMessage, ProxChatErrorKind.InvalidMessage, ProxChatErrorKind.InvalidMessage, ProxChatErrorKind.InvalidMessage],
            errors.Select(e => e.Kind));
        Assert.Equal("{{{ not json", errors[0].RawMessage);
        Assert.Contains("TeleportEveryone", errors[3].Message, StringComparison.Ordinal);
        Assert.Equal(ProxChatConnectionState.Connected, client.State);

        await client.SendOfferAsync("bob", "still here");
        await Eventually.HoldsAsync(() => heardByServer.Any(m => m.Contains("still here", StringComparison.Ordinal)), () => string.Join(" | ", heardByServer));
        Assert.Empty(events.Of<DisconnectedEventArgs>());
    }

    [Fact]
    public async Task Text_that_is_not_utf8_ends_that_connection_and_the_client_reconnects()
    {
        // RFC 6455 makes invalid UTF-8 in a text frame fatal, and .NET's WebSocket enforces it: the
        // client cannot read past it, but it must come back rather than fail.
        await using var server = await FakeServer.StartAsync(async (socket, session) =>
        {
            await FakeServer.ReceiveTextAsync(socket);
            if (session == 1)
            {
                await socket.SendAsync(new byte[] { 0x7b, 0xff, 0xfe, 0x7d }, WebSocketMessageType.Text, true, CancellationToken.None);
            }
            else
            {
                await FakeServer.SendTextAsync(socket, """{"type": "NearbyPeers", "data": ["bob"]}""");
            }

            await FakeServer.ReadUntilClosedAsync(socket);
        });
        var client = TestClients.Create(server.Address, "alice");
        var events = new ClientEvents(client);
        await using var _ = client;
        client.UpdatePosition(1, 0, 0);
        await client.ConnectAsync();

        await events.WaitForPeersAsync("bob");

        var lost = Assert.Single(events.Of<DisconnectedEventArgs>());
        Assert.True(lost.WillReconnect);
        Assert.Contains(events.Of<ConnectedEventArgs>(), c => c.IsReconnect);
    }

    [Fact]
    public async Task Messages_split_over_several_frames_are_put_together()
    {
        await using var server = await FakeServer.StartAsync(async (socket, _) =>
        {
            await FakeServer.ReceiveTextAsync(socket);
            var longId = new string('p', 40_000);
            var message = $$"""{"type": "NearbyPeers", "data": ["{{longId}}", "bob"]}""";
            foreach (var chunk in message.Chunk(7_000))
            {
                await FakeServer.SendTextAsync(socket, new string(chunk), endOfMessage: false);
            }

            await FakeServer.SendTextAsync(socket, "", endOfMessage: true);
            await FakeServer.SendTextAsync(socket, """{"type":"ReceiveOffer",""", endOfMessage: false);
            await FakeServer.SendTextAsync(socket, """ "data":{"sender_id":"bob","offer":"ü🎧"}}""", endOfMessage: true);
            await FakeServer.ReadUntilClosedAsync(socket);
        });
        var client = TestClients.Create(server.Address, "alice");
        var events = new ClientEvents(client);
        await using var _ = client;
        client.UpdatePosition(1, 0, 0);
        await client.ConnectAsync();

        var peers = await events.WaitForAsync<NearbyPeersEventArgs>();
        Assert.Equal([new string('p', 40_000), "bob"], peers.PeerIds);
        Assert.Equal("ü🎧", (await events.WaitForAsync<OfferReceivedEventArgs>()).Offer);
        Assert.Empty(events.Of<ProxChatErrorEventArgs>());
    }

    [Fact]
    public async Task A_message_over_the_size_limit_is_dropped_with_an_error_and_the_next_one_is_heard()
    {
        await using var server = await FakeServer.StartAsync(async (socket, _) =>
        {
            await FakeServer.ReceiveTextAsync(socket);
            await FakeServer.SendTextAsync(socket, $$"""{"type": "NearbyPeers", "data": ["{{new string('p', 5000)}}"]}""");
            await FakeServer.SendTextAsync(socket, """{"type": "NearbyPeers", "data": ["bob"]}""");
            await FakeServer.ReadUntilClosedAsync(socket);
        });
        var client = TestClients.Create(server.Address, "alice", options => options.MaxReceiveMessageBytes = 4096);
        var events = new ClientEvents(client);
        await using var _ = client;
        client.UpdatePosition(1, 0, 0);
        await client.ConnectAsync();

        await events.WaitForPeersAsync("bob");

        Assert.Equal(ProxChatErrorKind.MessageTooLarge, Assert.Single(events.Of<ProxChatErrorEventArgs>()).Kind);
        Assert.Single(events.Of<NearbyPeersEventArgs>());
    }

    [Fact]
    public async Task A_handler_that_throws_is_reported_and_the_next_messages_still_arrive()
    {
        await using var server = await FakeServer.StartAsync(async (socket, _) =>
        {
            await FakeServer.ReceiveTextAsync(socket);
            await FakeServer.SendTextAsync(socket, """{"type": "ReceiveOffer", "data": {"sender_id": "bob", "offer": "o"}}""");
            await FakeServer.SendTextAsync(socket, """{"type": "NearbyPeers", "data": ["bob"]}""");
            await FakeServer.ReadUntilClosedAsync(socket);
        });
        var client = TestClients.Create(server.Address, "alice");
        client.OfferReceived += (_, _) => throw new InvalidOperationException("the game's bug");
        var events = new ClientEvents(client);
        await using var _ = client;
        client.UpdatePosition(1, 0, 0);
        await client.ConnectAsync();

        await events.WaitForPeersAsync("bob");

        var error = Assert.Single(events.Of<ProxChatErrorEventArgs>());
        Assert.Equal(ProxChatErrorKind.HandlerFailed, error.Kind);
        Assert.Equal("the game's bug", error.Exception?.Message);
    }

    [Fact]
    public async Task Ice_servers_are_read_with_their_credentials()
    {
        await using var server = await FakeServer.StartAsync(async (socket, _) =>
        {
            await FakeServer.ReceiveTextAsync(socket);
            Assert.Equal("""{"type":"RequestIceServers"}""", await FakeServer.ReceiveTextAsync(socket));
            await FakeServer.SendTextAsync(socket, """
                {"type":"IceServers","data":{"ice_servers":[
                  {"urls":["turn:turn.example:3478?transport=udp","turns:turn.example:5349"],"username":"1767225600:alice","credential":"c2VjcmV0+/="},
                  {"urls":["stun:stun.example:3478"]}],"ttl_seconds":3600,"region":"eu"}}
                """);
            await FakeServer.ReadUntilClosedAsync(socket);
        });
        var client = TestClients.Create(server.Address, "alice");
        var events = new ClientEvents(client);
        await using var _ = client;
        client.UpdatePosition(1, 0, 0);
        await client.ConnectAsync();

        await client.RequestIceServersAsync();

        var ice = await events.WaitForAsync<IceServersEventArgs>();
        Assert.Equal(3600, ice.TtlSeconds);
        Assert.Equal(2, ice.IceServers.Count);
        Assert.Equal(["turn:turn.example:3478?transport=udp", "turns:turn.example:5349"], ice.IceServers[0].Urls);
        Assert.Equal(("1767225600:alice", "c2VjcmV0+/="), (ice.IceServers[0].Username, ice.IceServers[0].Credential));
        Assert.Equal(["stun:stun.example:3478"], ice.IceServers[1].Urls);
        Assert.Null(ice.IceServers[1].Username);
    }

    [Fact]
    public async Task Every_client_message_goes_out_as_the_protocol_spells_it()
    {
        var heardByServer = new ConcurrentQueue<string>();
        await using var server = await FakeServer.StartAsync(async (socket, _) =>
        {
            while (await FakeServer.ReceiveTextAsync(socket) is { } message)
            {
                heardByServer.Enqueue(message);
                if (message.Contains("\"Disconnect\"", StringComparison.Ordinal))
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return;
                }
            }
        });
        var client = TestClients.Create(server.Address, "alice");
        await using var _ = client;
        client.UpdatePosition(7, -3, 2_000_000_000, channel: 2, gameId: 9);
        await client.ConnectAsync();

        await client.SendOfferAsync("bob", "v=0\r\n+ü");
        await client.SendAnswerAsync("bob", "a");
        await client.SendIceCandidateAsync("bob", "c");
        await client.RequestPeerRefreshAsync();
        await client.RequestIceServersAsync();
        await client.BlockPeerAsync("mallory");
        await client.UnblockPeerAsync("mallory");
        await client.DisconnectAsync();

        string[] expected =
            [
                """{"type":"UpdatePosition","data":{"client_id":"alice","map_id":7,"x":-3,"y":2000000000,"channel":2,"game_id":9}}""",
                """{"type":"SendOffer","data":{"target_id":"bob","offer":"v=0\r\n+ü"}}""",
                """{"type":"SendAnswer","data":{"target_id":"bob","answer":"a"}}""",
                """{"type":"SendIceCandidate","data":{"target_id":"bob","candidate":"c"}}""",
                """{"type":"RequestPeerRefresh"}""",
                """{"type":"RequestIceServers"}""",
                """{"type":"BlockPeer","data":{"peer_id":"mallory"}}""",
                """{"type":"UnblockPeer","data":{"peer_id":"mallory"}}""",
                """{"type":"Disconnect"}""",
            ];
        var heard = heardByServer.ToArray();
        Assert.Equal(expected.Length, heard.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], heard[i]);
        }
    }
}
