using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.SignalR.Client;

namespace ProxChat.Host.Tests;

/// <summary>What a request must pass before it becomes a connection: origin, address budget, a completed handshake, a socket budget.</summary>
public sealed class GateTests
{
    [Fact]
    public async Task Only_listed_origins_and_native_clients_without_one_may_connect()
    {
        await using var server = await TestServer.StartAsync(("AllowedOrigins:0", "https://game.example.com"), ("AllowedOrigins:1", "http://localhost:8080"));

        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatus.OfAsync(server, "/", o => o.SetRequestHeader("Origin", "https://evil.example.com")));
        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatus.OfAsync(server, "/ws", o => o.SetRequestHeader("Origin", "https://game.example.com.evil.example")));
        Assert.Equal(HttpStatusCode.SwitchingProtocols, await UpgradeStatus.OfAsync(server, "/", o => o.SetRequestHeader("Origin", "https://game.example.com")));
        Assert.Equal(HttpStatusCode.SwitchingProtocols, await UpgradeStatus.OfAsync(server, "/ws", o => o.SetRequestHeader("Origin", "http://localhost:8080")));
        Assert.Equal(HttpStatusCode.SwitchingProtocols, await UpgradeStatus.OfAsync(server));

        // The hub too, at its negotiation and on a WebSocket that skips it.
        using var http = new HttpClient();
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, new Uri(server.HttpAddress, "/hub/negotiate?negotiateVersion=1"));
        negotiate.Headers.Add("Origin", "https://evil.example.com");
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(negotiate)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatus.OfAsync(server, "/hub", o => o.SetRequestHeader("Origin", "https://evil.example.com")));
    }

    [Fact]
    public async Task An_address_past_its_connection_limit_is_refused_until_one_closes()
    {
        await using var server = await TestServer.StartAsync(("MaxConnectionsPerIp", "2"));
        await using var first = await TestClient.JoinAsync(server, "a", 0, 0);
        var second = await HubTestClientFactory.ConnectAsync(server);

        Assert.Equal(HttpStatusCode.TooManyRequests, await UpgradeStatus.OfAsync(server));
        await Assert.ThrowsAsync<HttpRequestException>(async () => await (await HubTestClientFactory.ConnectAsync(server)).DisposeAsync());

        await second.DisposeAsync();
        await Eventually.HoldsAsync(
            async () => await UpgradeStatus.OfAsync(server) == HttpStatusCode.SwitchingProtocols,
            TestClient.Deadline,
            () => "the address never got its connection back");
        await using var third = await TestClient.JoinAsync(server, "b", 1, 1);
        Assert.Equal(["a"], await third.RefreshAsync());
    }

    [Fact]
    public async Task Behind_a_listed_proxy_the_forwarded_address_is_the_one_counted()
    {
        await using var server = await TestServer.StartAsync(("MaxConnectionsPerIp", "1"), ("KnownProxies:0", "127.0.0.1"));
        static Action<System.Net.WebSockets.ClientWebSocketOptions> From(string address) => o => o.SetRequestHeader("X-Forwarded-For", address);

        await using var one = await TestClient.ConnectAsync(server, "/", From("203.0.113.1"));
        await using var other = await TestClient.ConnectAsync(server, "/", From("203.0.113.2"));

        Assert.Equal(HttpStatusCode.TooManyRequests, await UpgradeStatus.OfAsync(server, "/", From("203.0.113.1")));
    }

    [Fact]
    public async Task Without_a_listed_proxy_a_forwarded_address_is_ignored()
    {
        await using var server = await TestServer.StartAsync(("MaxConnectionsPerIp", "1"));
        await using var one = await TestClient.ConnectAsync(server, "/", o => o.SetRequestHeader("X-Forwarded-For", "203.0.113.1"));

        Assert.Equal(HttpStatusCode.TooManyRequests, await UpgradeStatus.OfAsync(server, "/", o => o.SetRequestHeader("X-Forwarded-For", "203.0.113.2")));
    }

    [Fact]
    public async Task A_socket_that_sends_no_request_is_closed_after_the_handshake_timeout()
    {
        await using var server = await TestServer.StartAsync(("HandshakeTimeoutSeconds", "1"));
        using var silent = new TcpClient();
        await silent.ConnectAsync(server.HttpAddress.Host, server.HttpAddress.Port);
        using var halfway = new TcpClient();
        await halfway.ConnectAsync(server.HttpAddress.Host, server.HttpAddress.Port);
        await halfway.GetStream().WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n"));

        Assert.True(await ClosedByServerAsync(silent, TimeSpan.FromSeconds(8)), "an idle socket was kept");
        Assert.True(await ClosedByServerAsync(halfway, TimeSpan.FromSeconds(8)), "a socket that never finished its request was kept");

        // A WebSocket, once upgraded, is not subject to it.
        await using var client = await TestClient.JoinAsync(server, "a", 0, 0);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Empty(await client.RefreshAsync());
    }

    [Fact]
    public async Task Sockets_past_the_budget_are_closed_at_once_and_live_clients_carry_on()
    {
        await using var server = await TestServer.StartAsync(("MaxSockets", "4"));
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await a.ExpectPeersAsync("b");
        var idle = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var socket = new TcpClient();
                await socket.ConnectAsync(server.HttpAddress.Host, server.HttpAddress.Port);
                idle.Add(socket);
            }

            using var over = new TcpClient();
            await over.ConnectAsync(server.HttpAddress.Host, server.HttpAddress.Port);
            Assert.True(await ClosedByServerAsync(over, TimeSpan.FromSeconds(5)), "a socket past the budget was kept");

            await a.SendRelayAsync("SendOffer", "b", "offer", "still here");
            Assert.Equal("still here", (await b.ExpectAsync("ReceiveOffer")).Data!["offer"]!.GetValue<string>());
        }
        finally
        {
            idle.ForEach(socket => socket.Dispose());
        }

        await Eventually.HoldsAsync(
            async () => await UpgradeStatus.OfAsync(server) == HttpStatusCode.SwitchingProtocols,
            TestClient.Deadline,
            () => "the budget never had room again");
    }

    private static async Task<bool> ClosedByServerAsync(TcpClient socket, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var sink = new byte[4096];
        try
        {
            while (await socket.GetStream().ReadAsync(sink, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static class HubTestClientFactory
    {
        public static async Task<HubConnection> ConnectAsync(TestServer server)
        {
            var connection = new HubConnectionBuilder().WithUrl(new Uri(server.HttpAddress, "/hub")).Build();
            try
            {
                await connection.StartAsync();
                return connection;
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }
    }
}
