using System.Net;

namespace ProxChat.Host.Tests;

/// <summary>
/// The counters of refused upgrades and requests, exactly. Alone in their collection: every
/// node in this process exports the meter of the same name, so other tests running beside these
/// would add to the counts.
/// </summary>
[Collection(MetricsAlone.Name)]
public sealed class AbuseMetricsTests
{
    [Fact]
    public async Task Refused_upgrades_are_counted_by_reason()
    {
        await using var server = await TestServer.StartAsync(
            ("AllowedOrigins:0", "https://game.example.com"), ("Auth:SigningKey", AuthenticationTests.Key), ("MaxConnectionsPerIp", "1"));
        using var http = new HttpClient();

        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatus.OfAsync(server, "/", o => o.SetRequestHeader("Origin", "https://evil.example.com")));
        Assert.Equal(HttpStatusCode.Unauthorized, await UpgradeStatus.OfAsync(server));
        Assert.Equal(HttpStatusCode.Unauthorized, await UpgradeStatus.OfAsync(server, "/?access_token=not.a.token"));
        await using var one = await TestClient.ConnectAsync(server, $"/?access_token={AuthenticationTests.Token("one")}");
        Assert.Equal(HttpStatusCode.TooManyRequests, await UpgradeStatus.OfAsync(server, $"/?access_token={AuthenticationTests.Token("two")}"));

        var metrics = await MetricsTests.ScrapeAsync(http, server);
        Assert.Equal(1, metrics["proxchat_upgrades_refused_total{reason=\"origin\"}"]);
        Assert.Equal(2, metrics["proxchat_upgrades_refused_total{reason=\"unauthorized\"}"]);
        Assert.Equal(1, metrics["proxchat_upgrades_refused_total{reason=\"per_ip\"}"]);
        Assert.Equal(0, metrics["proxchat_upgrades_refused_total{reason=\"sockets\"}"]);
    }

    [Fact]
    public async Task Takeovers_throttled_bytes_policy_closures_and_ice_requests_are_counted()
    {
        await using var server = await TestServer.StartAsync(
            ("TakeoverProbeSeconds", "1"), ("MaxMessageBytes", "4096"), ("RelayBytesPerSecond", "4096"), ("MessageRateLimit", "0"),
            ("Turn:Secret", "a turn secret"), ("Turn:Urls:0", "turn:127.0.0.1:3478"));
        using var http = new HttpClient();
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await a.ExpectPeersAsync("b");

        await using var impostor = await TestClient.ConnectAsync(server);
        await impostor.MoveAsync("a", 0, 0);
        await impostor.ExpectErrorAsync();

        for (var i = 0; i < 20; i++)
        {
            await a.SendRelayAsync("SendOffer", "b", "offer", new string('o', 4000));
        }

        await a.ExpectErrorAsync();
        await a.SendAsync("RequestIceServers");
        await a.ExpectAsync("IceServers");

        await using var noisy = await TestClient.ConnectAsync(server);
        for (var i = 0; i < 150; i++)
        {
            await noisy.SendTextAsync("[]");
        }

        await noisy.ExpectClosedAsync();

        var metrics = await MetricsTests.ScrapeAsync(http, server);
        Assert.Equal(1, metrics["proxchat_takeovers_total{outcome=\"refused\"}"]);
        Assert.Equal(0, metrics["proxchat_takeovers_total{outcome=\"replaced\"}"]);
        Assert.InRange(metrics["proxchat_relay_throttled_bytes_total"], 3 * 4002, 4 * 4002);
        Assert.Equal(1, metrics["proxchat_connections_policy_closed_total"]);
        Assert.Equal(1, metrics["proxchat_messages_total{type=\"RequestIceServers\"}"]);
    }
}
