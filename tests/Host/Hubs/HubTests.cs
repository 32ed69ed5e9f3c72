using Microsoft.AspNetCore.SignalR.Client;
using ProxChat.Host.Tests.Cluster;

namespace ProxChat.Host.Tests.Hubs;

/// <summary>The SignalR hub and the raw WebSocket are one world, on one node and across nodes.</summary>
public class HubTests
{
    [Fact]
    public async Task Hub_clients_are_introduced_and_relay_to_each_other()
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await HubTestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await HubTestClient.JoinAsync(server, "b", 3, 4);
        await a.ExpectPeersAsync("b");

        await a.RelayAsync("SendOffer", "b", "offer", "v=0 ü 🎧");

        var offer = await b.ExpectAsync("ReceiveOffer");
        Assert.Equal("a", offer.GetProperty("sender_id").GetString());
        Assert.Equal("v=0 ü 🎧", offer.GetProperty("offer").GetString());
        await b.Connection.InvokeAsync("Disconnect");
        await a.ExpectPeersAsync();
    }

    [Fact]
    public async Task Hub_and_raw_clients_meet_and_relay_both_ways()
    {
        await using var server = await TestServer.StartAsync();
        await using var hub = await HubTestClient.JoinAsync(server, "hub", 0, 0);
        await using var raw = await TestClient.JoinAsync(server, "raw", 1, 1);
        await hub.ExpectPeersAsync("raw");

        await hub.RelayAsync("SendOffer", "raw", "offer", "from the hub");
        var offer = await raw.ExpectAsync("ReceiveOffer");
        Assert.Equal("hub", offer.SenderId);
        Assert.Equal("from the hub", offer.Data!["offer"]!.GetValue<string>());

        await raw.SendRelayAsync("SendIceCandidate", "hub", "candidate", "from the socket");
        var candidate = await hub.ExpectAsync("ReceiveIceCandidate");
        Assert.Equal("raw", candidate.GetProperty("sender_id").GetString());
        Assert.Equal("from the socket", candidate.GetProperty("candidate").GetString());
    }

    [Fact]
    public async Task A_long_polling_client_keeps_its_connection_on_a_node_it_filled()
    {
        await using var server = await TestServer.StartAsync(("MaxConnections", "1"));
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server.HttpAddress, "/hub"), Microsoft.AspNetCore.Http.Connections.HttpTransportType.LongPolling)
            .Build();
        await using (connection)
        {
            var sets = System.Threading.Channels.Channel.CreateUnbounded<string[]>();
            connection.On<string[]>("NearbyPeers", peers => sets.Writer.TryWrite(peers));
            await connection.StartAsync();

            // Each poll and each invocation is a request of its own, made while the node is full.
            await connection.InvokeAsync("UpdatePosition", new Dictionary<string, object> { ["client_id"] = "poller", ["map_id"] = 1, ["x"] = 0, ["y"] = 0 });
            Assert.Empty(await sets.Reader.ReadAsync().AsTask().WaitAsync(TestClient.Deadline));
            for (var i = 0; i < 3; i++)
            {
                await connection.InvokeAsync("RequestPeerRefresh");
                Assert.Empty(await sets.Reader.ReadAsync().AsTask().WaitAsync(TestClient.Deadline));
            }

            Assert.Equal(HubConnectionState.Connected, connection.State);
        }
    }

    [Theory]
    [InlineData("UpdatePosition", """{"client_id":"a","map_id":1,"x":1.5,"y":0}""", "UpdatePosition: 'x' is required and must be a 32-bit integer.")]
    [InlineData("UpdatePosition", """{"client_id":"","map_id":1,"x":0,"y":0}""", "UpdatePosition: 'client_id' must not be empty.")]
    [InlineData("SendOffer", """{"offer":"o"}""", "Client must send UpdatePosition first.")]
    public async Task Bad_input_through_the_hub_gets_the_same_errors(string method, string data, string error)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await HubTestClient.ConnectAsync(server);

        await client.Connection.InvokeAsync(method, System.Text.Json.JsonDocument.Parse(data).RootElement);

        Assert.Equal(error, (await client.ExpectAsync("Error")).GetString());
        await client.MoveAsync("ok", 0, 0);
        await client.ExpectPeersAsync();
    }

    [Fact]
    public async Task A_silent_hub_client_times_out_with_an_error_and_is_closed()
    {
        await using var server = await TestServer.StartAsync(("ClientTimeoutSeconds", "1"));
        await using var client = await HubTestClient.JoinAsync(server, "quiet", 0, 0);

        Assert.Contains("No UpdatePosition", (await client.ExpectAsync("Error")).GetString(), StringComparison.Ordinal);
        await client.WaitClosedAsync();
    }

    [Fact]
    public async Task The_hub_can_be_turned_off()
    {
        await using var server = await TestServer.StartAsync(("SignalR:Enabled", "false"));
        using var http = new HttpClient();

        var response = await http.PostAsync(new Uri(server.HttpAddress, "/hub/negotiate?negotiateVersion=1"), null);

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }
}

/// <summary>Hub and raw clients on different nodes sharing Redis.</summary>
[Collection(RedisTests.Name)]
public sealed class HubCrossNodeTests(RedisFixture redis)
{
    [Fact]
    public async Task A_hub_client_and_a_raw_client_on_different_nodes_meet_and_relay()
    {
        var prefix = RedisFixture.UniquePrefix();
        await using var node1 = await TestServer.StartNodeAsync(redis.ConnectionString, prefix);
        await using var node2 = await TestServer.StartNodeAsync(redis.ConnectionString, prefix);
        await using var hub = await HubTestClient.JoinAsync(node1, "hub", 0, 0);
        await using var raw = await TestClient.JoinAsync(node2, "raw", 1, 1);
        await hub.ExpectPeersAsync("raw");

        await raw.SendRelayAsync("SendOffer", "hub", "offer", "across nodes");
        Assert.Equal("across nodes", (await hub.ExpectAsync("ReceiveOffer")).GetProperty("offer").GetString());
        await hub.RelayAsync("SendAnswer", "raw", "answer", "and back");
        Assert.Equal("and back", (await raw.ExpectAsync("ReceiveAnswer")).Data!["answer"]!.GetValue<string>());

        await using var hub2 = await HubTestClient.JoinAsync(node2, "hub2", 2, 2);
        await hub.ExpectPeersAsync("hub2", "raw");
        await hub2.RelayAsync("SendOffer", "hub", "offer", "hub to hub across nodes");
        Assert.Equal("hub to hub across nodes", (await hub.ExpectAsync("ReceiveOffer")).GetProperty("offer").GetString());
    }
}
