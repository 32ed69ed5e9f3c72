using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;

namespace ProxChat.Host.Tests;

public class ConnectionTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/ws")]
    public async Task Both_paths_speak_the_protocol(string path)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await TestClient.ConnectAsync(server, path);
        await client.MoveAsync("a", 0, 0);
        await client.ExpectPeersAsync();
    }

    [Fact]
    public async Task Every_message_is_one_complete_utf8_text_frame_without_bom()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = await RawWebSocketClient.ConnectAsync(server);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await raw.SendTextAsync("""{"type":"UpdatePosition","data":{"client_id":"a","map_id":1,"x":0,"y":0}}""");
        await b.ExpectPeersAsync("a");
        var offer = string.Concat(Enumerable.Repeat("v=0\r\no=- 4611 2 IN IP4 127.0.0.1 ünïcödé 🎧\r\n", 60));

        await b.SendRelayAsync("SendOffer", "a", "offer", offer);

        var frames = new List<RawWebSocketClient.Frame>();
        while (frames.Count < 2 || !frames[^1].Text.Contains("ReceiveOffer", StringComparison.Ordinal))
        {
            frames.Add(await raw.ReceiveFrameAsync());
        }

        Assert.All(frames, frame =>
        {
            Assert.True(frame.Fin, "each message must be a single final frame");
            Assert.Equal(0x1, frame.Opcode);
            Assert.Equal((byte)'{', frame.Payload[0]);
            Assert.NotNull(JsonNode.Parse(frame.Payload));
        });
        Assert.Equal(offer, JsonNode.Parse(frames[^1].Payload)!["data"]!["offer"]!.GetValue<string>());
    }

    [Fact]
    public async Task Health_endpoints_answer_and_plain_requests_get_the_demo_page()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.HttpAddress };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
        var page = await http.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>ProxChat demo</title>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("export class PeerMesh", await http.GetStringAsync(new Uri("/lib/proxchat/mesh.js", UriKind.Relative)), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UpgradeRequired, (await http.GetAsync(new Uri("/ws", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Shutdown_closes_clients_with_going_away()
    {
        var server = await TestServer.StartAsync();
        await using var client = await TestClient.JoinAsync(server, "a", 0, 0);

        var stopping = server.StopAsync();
        var (status, _) = await client.ExpectClosedAsync();
        await stopping;
        await server.DisposeAsync();

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, status);
    }

    [Fact]
    public async Task A_full_node_turns_new_connections_away_with_503_and_is_not_ready_until_one_leaves()
    {
        await using var server = await TestServer.StartAsync(("MaxConnections", "2"));
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        using var http = new HttpClient();

        using var refused = new ClientWebSocket();
        refused.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => refused.ConnectAsync(new Uri($"ws://{server.HttpAddress.Authority}/"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.HttpStatusCode);
        var hub = new HubConnectionBuilder().WithUrl(new Uri(server.HttpAddress, "/hub")).Build();
        await using (hub)
        {
            var hubRefusal = await Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, hubRefusal.StatusCode);
        }

        using (var readiness = await http.GetAsync(new Uri(server.HttpAddress, "/readyz")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness.StatusCode);
            Assert.Contains("Full: 2 connections", await readiness.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Those already connected carry on.
        await a.SendRelayAsync("SendOffer", "b", "offer", "o");
        Assert.Equal("a", (await b.ExpectAsync("ReceiveOffer")).SenderId);

        await a.CloseAsync();
        await Eventually.HoldsAsync(
            async () => (await http.GetAsync(new Uri(server.HttpAddress, "/readyz"))).StatusCode == HttpStatusCode.OK,
            TestClient.Deadline,
            () => "the node stayed unready after a client left");
        await using var c = await TestClient.JoinAsync(server, "c", 2, 2);
    }

    [Theory]
    [InlineData("DisconnectionRange", "15")] // below the introduction range, 20
    [InlineData("NodeTimeoutSeconds", "4")] // too short for a heartbeat a second
    [InlineData("MessageBurst", "0")] // a bucket that holds no message
    [InlineData("SendQueueByteLimit", "32768")] // below MaxMessageBytes, 65536
    public async Task Invalid_configuration_stops_the_server_at_start_up(string setting, string value)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync((setting, value)));
        Assert.Contains(setting, failure.Message, StringComparison.Ordinal);
    }
}
