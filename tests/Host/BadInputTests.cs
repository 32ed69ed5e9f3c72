using System.Net.WebSockets;
using System.Text;
using ProxChat.Transport.Protocol;
using ProxChat.Transport.Sessions;

namespace ProxChat.Host.Tests;

public class BadInputTests
{
    public static TheoryData<string, string> Malformed() => new()
    {
        { "not json", "Message is not valid JSON." },
        { "{\"type\":\"UpdatePosition\"", "Message is not valid JSON." },
        { "{\"type\":\"RequestPeerRefresh\"} trailing", "Message is not valid JSON." },
        { "{\"type\":\"RequestPeerRefresh\",}", "Message is not valid JSON." },
        { "", "Message is not valid JSON." },
        { "[]", "Message must be a JSON object." },
        { "42", "Message must be a JSON object." },
        { "\"UpdatePosition\"", "Message must be a JSON object." },
        { "null", "Message must be a JSON object." },
        { "{}", "Message has no 'type'." },
        { "{\"data\":{}}", "Message has no 'type'." },
        { "{\"type\":5}", "Message 'type' must be a string." },
        { "{\"type\":null}", "Message 'type' must be a string." },
        { "{\"type\":\"updateposition\"}", "Unknown message type 'updateposition'." },
        { "{\"type\":\"Teleport\",\"data\":{}}", "Unknown message type 'Teleport'." },
        { "{\"type\":\"UpdatePosition\"}", "UpdatePosition: 'data' must be an object with client_id, map_id, x and y." },
        { "{\"type\":\"UpdatePosition\",\"data\":null}", "UpdatePosition: 'data' must be an object with client_id, map_id, x and y." },
        { "{\"type\":\"UpdatePosition\",\"data\":[1,2]}", "UpdatePosition: 'data' must be an object with client_id, map_id, x and y." },
        { "{\"type\":\"UpdatePosition\",\"data\":{\"map_id\":1,\"x\":0,\"y\":0}}", "UpdatePosition: 'client_id' is required and must be a string." },
        { "{\"type\":\"UpdatePosition\",\"data\":{\"client_id\":7,\"map_id\":1,\"x\":0,\"y\":0}}", "UpdatePosition: 'client_id' is required and must be a string." },
        { "{\"type\":\"UpdatePosition\",\"data\":{\"client_id\":\"a\",\"x\":0,\"y\":0}}", "UpdatePosition: 'map_id' is required and must be a 32-bit integer." },
        { "{\"type\":\"UpdatePosition\",\"data\":{\"client_id\":\"a\",\"map_id\":1,\"y\":0}}", "UpdatePosition: 'x' is required and must be a 32-bit integer." },
        { "{\"type\":\"UpdatePosition\",\"data\":{\"client_id\":\"a\",\"map_id\":1,\"x\":0,\"y\":null}}", "UpdatePosition: 'y' is required and must be a 32-bit integer." },
        { "{\"type\":\"UpdatePosition\",\"data\":{\"client_id\":\"a\",\"map_id\":1,\"x\":\"5\",\"y\":0}}", "UpdatePosition: 'x' is required and must be a 32-bit integer." },
        { "{\"type\":\"UpdatePosition\",\"data\":{\"client_id\":\"a\",\"map_id\":1,\"x\":1.5,\"y\":0}}", "UpdatePosition: 'x' is required and must be a 32-bit integer." },
        { "{\"type\":\"UpdatePosition\",\"data\":{\"client_id\":\"a\",\"map_id\":1,\"x\":1e2,\"y\":0}}", "UpdatePosition: 'x' is required and must be a 32-bit integer." },
        { "{\"type\":\"UpdatePosition\",\"data\":{\"client_id\":\"a\",\"map_id\":1,\"x\":2147483648,\"y\":0}}", "UpdatePosition: 'x' is required and must be a 32-bit integer." },
        { "{\"type\":\"UpdatePosition\",\"data\":{\"client_id\":\"a\",\"map_id\":1,\"x\":0,\"y\":-2147483649}}", "UpdatePosition: 'y' is required and must be a 32-bit integer." },
        { "{\"type\":\"UpdatePosition\",\"data\":{\"client_id\":\"a\",\"map_id\":1,\"x\":0,\"y\":0,\"channel\":\"1\"}}", "UpdatePosition: 'channel' is required and must be a 32-bit integer." },
        { "{\"type\":\"UpdatePosition\",\"data\":{\"client_id\":\"a\",\"map_id\":1,\"x\":0,\"y\":0,\"game_id\":true}}", "UpdatePosition: 'game_id' is required and must be a 32-bit integer." },
        { "{\"type\":\"UpdatePosition\",\"data\":{\"client_id\":\"\\ud800\",\"map_id\":1,\"x\":0,\"y\":0}}", "UpdatePosition: 'client_id' is required and must be a string." },
        { "{\"type\":\"SendOffer\",\"data\":{\"target_id\":\"b\"}}", "Client must send UpdatePosition first." },
        { new string('[', 100) + new string(']', 100), "Message is not valid JSON." },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task Malformed_messages_get_a_clear_error_and_the_connection_stays_open(string text, string error)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await TestClient.ConnectAsync(server);

        await client.SendTextAsync(text);

        Assert.Equal(error, await client.ExpectErrorAsync());
        await client.MoveAsync("a", 0, 0);
        await client.ExpectPeersAsync();
    }

    public static TheoryData<string, string> MalformedAfterRegistration() => new()
    {
        { "{\"type\":\"SendOffer\",\"data\":{\"offer\":\"o\"}}", "SendOffer: 'target_id' is required and must be a string." },
        { "{\"type\":\"SendOffer\",\"data\":{\"target_id\":\"b\"}}", "SendOffer: 'offer' is required and must be a string." },
        { "{\"type\":\"SendOffer\",\"data\":{\"target_id\":\"b\",\"offer\":{\"sdp\":1}}}", "SendOffer: 'offer' is required and must be a string." },
        { "{\"type\":\"SendAnswer\",\"data\":{\"target_id\":\"b\",\"answer\":null}}", "SendAnswer: 'answer' is required and must be a string." },
        { "{\"type\":\"SendAnswer\",\"data\":\"b\"}", "SendAnswer: 'data' must be an object with target_id and a payload." },
        { "{\"type\":\"SendIceCandidate\",\"data\":{\"target_id\":1,\"candidate\":\"c\"}}", "SendIceCandidate: 'target_id' is required and must be a string." },
        { "{\"type\":\"SendIceCandidate\"}", "SendIceCandidate: 'data' must be an object with target_id and candidate." },
    };

    [Theory]
    [MemberData(nameof(MalformedAfterRegistration))]
    public async Task Malformed_relays_get_a_clear_error_and_nothing_is_relayed(string text, string error)
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await a.ExpectPeersAsync("b");

        await a.SendTextAsync(text);

        Assert.Equal(error, await a.ExpectErrorAsync());
        await a.SendRelayAsync("SendOffer", "b", "offer", "valid");
        Assert.Equal("valid", (await b.ExpectAsync("ReceiveOffer")).Data!["offer"]!.GetValue<string>());
    }

    [Fact]
    public async Task Binary_frames_get_an_error_and_the_connection_stays_open()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await TestClient.JoinAsync(server, "a", 0, 0);

        await client.SendBytesAsync(Encoding.UTF8.GetBytes("""{"type":"RequestPeerRefresh"}"""), WebSocketMessageType.Binary);

        Assert.Equal("Binary frames are not supported; send each message as one JSON text frame.", await client.ExpectErrorAsync());
        Assert.Empty(await client.RefreshAsync());
    }

    [Fact]
    public async Task Text_that_is_not_utf8_is_a_protocol_violation_and_closes_with_1007()
    {
        await using var server = await TestServer.StartAsync();
        await using var peer = await TestClient.JoinAsync(server, "peer", 0, 0);
        using var raw = await RawWebSocketClient.ConnectAsync(server);
        await raw.SendTextAsync("""{"type":"UpdatePosition","data":{"client_id":"bad","map_id":1,"x":1,"y":1}}""");
        await peer.ExpectPeersAsync("bad");

        await raw.SendFrameAsync(0x1, [0x7B, 0xFF, 0xFE, 0x7D]);

        RawWebSocketClient.Frame frame;
        do
        {
            frame = await raw.ReceiveFrameAsync();
        }
        while (frame.Opcode != 0x8);

        Assert.Equal((int)WebSocketCloseStatus.InvalidPayloadData, (frame.Payload[0] << 8) | frame.Payload[1]);
        await peer.ExpectPeersAsync();
    }

    [Fact]
    public async Task Every_client_sending_text_that_is_not_utf8_amid_other_traffic_gets_its_1007()
    {
        // Forty clients on one spot: each registration sends every other client a new set, so the
        // server is often writing to a client just as that client's bad frame fails its socket.
        // That is when the close frame used to be lost to a reset (about one client in seven).
        await using var server = await TestServer.StartAsync();
        var closes = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            using var raw = await RawWebSocketClient.ConnectAsync(server);
            await raw.SendTextAsync($$$"""{"type":"UpdatePosition","data":{"client_id":"bad-{{{i}}}","map_id":1,"x":1,"y":1}}""");
            Assert.Equal(0x1, (await raw.ReceiveFrameAsync()).Opcode);
            await raw.SendFrameAsync(0x1, [0x7B, 0xFF, 0xFE, 0x7D]);
            RawWebSocketClient.Frame frame;
            do
            {
                frame = await raw.ReceiveFrameAsync();
            }
            while (frame.Opcode != 0x8);

            return (frame.Payload[0] << 8) | frame.Payload[1];
        }));

        Assert.All(closes, code => Assert.Equal((int)WebSocketCloseStatus.InvalidPayloadData, code));
    }

    [Fact]
    public async Task A_message_split_over_several_frames_is_reassembled()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await TestClient.ConnectAsync(server);
        var bytes = Encoding.UTF8.GetBytes("""{"type":"UpdatePosition","data":{"client_id":"a","map_id":1,"x":0,"y":0}}""");

        await client.SendBytesAsync(bytes[..10], WebSocketMessageType.Text, endOfMessage: false);
        await client.SendBytesAsync(bytes[10..30], WebSocketMessageType.Text, endOfMessage: false);
        await client.SendBytesAsync(bytes[30..], WebSocketMessageType.Text, endOfMessage: true);

        await client.ExpectPeersAsync();
    }

    [Fact]
    public async Task A_message_at_the_size_limit_is_accepted()
    {
        await using var server = await TestServer.StartAsync(("MaxMessageBytes", "4096"));
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await a.ExpectPeersAsync("b");
        var envelope = """{"type":"SendOffer","data":{"target_id":"b","offer":""}}""";
        var offer = new string('o', 4096 - envelope.Length);

        await a.SendRelayAsync("SendOffer", "b", "offer", offer);

        Assert.Equal(offer, (await b.ExpectAsync("ReceiveOffer")).Data!["offer"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_message_over_the_size_limit_closes_with_1009_and_peers_are_told(bool fragmented)
    {
        await using var server = await TestServer.StartAsync(("MaxMessageBytes", "4096"));
        await using var peer = await TestClient.JoinAsync(server, "peer", 0, 0);
        await using var client = await TestClient.JoinAsync(server, "big", 1, 1);
        await peer.ExpectPeersAsync("big");
        var oversized = Encoding.UTF8.GetBytes("{\"type\":\"SendOffer\",\"data\":{\"target_id\":\"peer\",\"offer\":\"" + new string('o', 4100) + "\"}}");

        if (fragmented)
        {
            for (var offset = 0; offset < oversized.Length; offset += 1000)
            {
                var end = Math.Min(offset + 1000, oversized.Length);
                await client.SendBytesAsync(oversized[offset..end], WebSocketMessageType.Text, end == oversized.Length);
            }
        }
        else
        {
            await client.SendBytesAsync(oversized, WebSocketMessageType.Text);
        }

        var (status, _) = await client.ExpectClosedAsync();
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, status);
        await peer.ExpectPeersAsync();
    }

    [Fact]
    public async Task A_flood_of_garbage_from_one_client_does_not_disturb_another()
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await using var noisy = await TestClient.ConnectAsync(server);
        await a.ExpectPeersAsync("b");

        var garbage = Task.Run(async () =>
        {
            try
            {
                for (var i = 0; i < 500; i++)
                {
                    await noisy.SendTextAsync(i % 2 == 0 ? "{\"type\":" : "[[[[[[");
                }
            }
            catch (System.Net.WebSockets.WebSocketException)
            {
                // The server closed the connection part-way: what the test expects.
            }
        });
        for (var i = 0; i < 50; i++)
        {
            await a.SendRelayAsync("SendIceCandidate", "b", "candidate", $"c{i}");
        }

        await garbage;
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal($"c{i}", (await b.ExpectAsync("ReceiveIceCandidate")).Data!["candidate"]!.GetValue<string>());
        }

        // Each bad message is answered while the connection's budget lasts (a burst of 100, then
        // 10 a second); past it the connection is closed with 1008 and a reason, not dropped.
        var errors = 0;
        while (await NextBeforeCloseAsync(noisy) is { } next)
        {
            Assert.Equal("Error", next.Type);
            errors++;
        }

        Assert.InRange(errors, ConnectionLimits.InvalidMessageBurst, ConnectionLimits.InvalidMessageBurst + 20);
        var (status, reason) = await noisy.ExpectClosedAsync();
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, status);
        Assert.Equal(ProtocolErrors.TooManyInvalidMessages, reason);
    }

    private static async Task<TestClient.Received?> NextBeforeCloseAsync(TestClient client)
    {
        try
        {
            return await client.TryNextAsync(TestClient.Deadline);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
