using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace ProxChat.Host.Tests;

/// <summary>What an operator scrapes from <c>/metrics</c>, read after real traffic.</summary>
/// <remarks>
/// Alone, not beside other tests: a meter provider collects every meter of its name in the
/// process, so another test's server would add to these counts, and its disposing of its meter
/// would stop the instrument here (open-telemetry/opentelemetry-dotnet#6412). One server per
/// process is what production runs; other tests read a node's own instruments instead.
/// </remarks>
[Collection(MetricsAlone.Name)]
public sealed partial class MetricsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Metrics_count_connections_messages_relays_and_refusals()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient();
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await using var stranger = await TestClient.ConnectAsync(server);
        await a.ExpectPeersAsync("b");

        await a.SendRelayAsync("SendOffer", "b", "offer", "sdp");
        await b.ExpectAsync("ReceiveOffer");
        await b.SendRelayAsync("SendAnswer", "a", "answer", "sdp");
        await a.ExpectAsync("ReceiveAnswer");
        await a.SendRelayAsync("SendOffer", "nobody", "offer", "sdp");
        await a.ExpectErrorAsync();
        await stranger.SendTextAsync("{not json");
        await stranger.ExpectErrorAsync();
        await stranger.SendAsync("RequestPeerRefresh");
        await stranger.ExpectErrorAsync();

        await Eventually.HoldsAsync(
            async () =>
            {
                var metrics = await ScrapeAsync(http, server);
                return metrics.GetValueOrDefault("proxchat_connections") == 3
                    && metrics.GetValueOrDefault("proxchat_clients") == 2
                    && metrics.GetValueOrDefault("proxchat_messages_total{type=\"UpdatePosition\"}") == 2
                    && metrics.GetValueOrDefault("proxchat_messages_total{type=\"SendOffer\"}") == 2
                    && metrics.GetValueOrDefault("proxchat_messages_total{type=\"SendAnswer\"}") == 1
                    && metrics.GetValueOrDefault("proxchat_messages_rejected_total{type=\"unknown\"}") == 1
                    && metrics.GetValueOrDefault("proxchat_messages_rejected_total{type=\"RequestPeerRefresh\"}") == 1
                    && metrics.GetValueOrDefault("proxchat_relays_total{outcome=\"delivered\"}") == 2
                    && metrics.GetValueOrDefault("proxchat_relays_total{outcome=\"refused\"}") == 1
                    && metrics.GetValueOrDefault("proxchat_placement_duration_seconds_count") == 2;
            },
            Deadline,
            () => string.Join('\n', ScrapeAsync(http, server).Result.Where(metric => metric.Key.StartsWith("proxchat", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task Metrics_count_throttled_messages_and_refused_connections()
    {
        await using var server = await TestServer.StartAsync(("MessageRateLimit", "1"), ("MessageBurst", "3"), ("MaxConnections", "2"));
        using var http = new HttpClient();
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await a.ExpectPeersAsync("b");

        // Three go through, seven are dropped (a token a second: none comes back meanwhile).
        for (var i = 0; i < 10; i++)
        {
            await a.SendRelayAsync("SendIceCandidate", "b", "candidate", "c");
        }

        await a.ExpectErrorAsync();
        using var refused = new System.Net.WebSockets.ClientWebSocket();
        await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => refused.ConnectAsync(new Uri($"ws://{server.HttpAddress.Authority}/"), CancellationToken.None));

        var metrics = await ScrapeAsync(http, server);
        Assert.Equal(7, metrics["proxchat_messages_throttled_total"]);
        Assert.Equal(1, metrics["proxchat_connections_refused_total"]);
    }

    [Fact]
    public async Task A_node_on_redis_times_the_probes_of_its_bus_channel()
    {
        await using var redis = await Cluster.RedisServer.StartAsync();
        await using var node = await TestServer.StartNodeAsync(redis.ConnectionString, Cluster.RedisFixture.UniquePrefix());
        using var http = new HttpClient();

        // A probe a second; on an idle node each comes back in far less than one.
        await Eventually.HoldsAsync(
            async () => (await ScrapeAsync(http, node)).GetValueOrDefault("proxchat_cluster_bus_probe_duration_seconds_count") >= 2,
            Deadline,
            () => "fewer than two probes timed");
        var metrics = await ScrapeAsync(http, node);
        var count = metrics["proxchat_cluster_bus_probe_duration_seconds_count"];
        Assert.InRange(metrics["proxchat_cluster_bus_probe_duration_seconds_sum"], double.Epsilon, count);
        Assert.Equal(count, metrics["proxchat_cluster_bus_probe_duration_seconds_bucket{le=\"1\"}"]);
    }

    [Fact]
    public async Task Metrics_given_a_port_of_their_own_are_served_there_and_nowhere_else()
    {
        var metricsPort = Cluster.RedisServer.FreePort();
        await using var server = await TestServer.StartWithMetricsPortAsync(metricsPort);
        using var http = new HttpClient();

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(server.HttpAddress, "/metrics"))).StatusCode);
        using var spoofed = new HttpRequestMessage(HttpMethod.Get, new Uri(server.HttpAddress, "/metrics"));
        spoofed.Headers.Host = $"127.0.0.1:{metricsPort}";
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(spoofed)).StatusCode);
        Assert.Contains("proxchat_connections", await http.GetStringAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_can_be_switched_off()
    {
        await using var server = await TestServer.StartAsync(("Metrics:Enabled", "false"));
        using var http = new HttpClient();

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(server.HttpAddress, "/metrics"))).StatusCode);
    }

    /// <summary>Each sample of the ProxChat meter and the others, keyed by name and labels without the scope label.</summary>
    internal static async Task<Dictionary<string, double>> ScrapeAsync(HttpClient http, TestServer server)
    {
        var text = await http.GetStringAsync(new Uri(server.HttpAddress, "/metrics"));
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            var name = ScopeLabel().Replace(line[..space], string.Empty).Replace("{}", string.Empty, StringComparison.Ordinal);
            samples[name] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }

        return samples;
    }

    [GeneratedRegex("otel_scope_name=\"[^\"]*\",?")]
    private static partial Regex ScopeLabel();
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsAlone
{
    public const string Name = "Metrics, alone";
}
