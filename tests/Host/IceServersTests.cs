using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using ProxChat.Host.Tests.Cluster;
using ProxChat.Host.Tests.Hubs;
using ProxChat.Transport.Protocol;

namespace ProxChat.Host.Tests;

/// <summary>ICE servers with short-lived TURN credentials, over HTTP, the raw socket and the hub.</summary>
public sealed class IceServersTests
{
    internal const string Secret = "a turn secret shared with coturn";
    internal const string TurnUrl = "turn:turn.example.com:3478?transport=udp";
    internal const string StunUrl = "stun:stun.example.com:3478";

    internal static readonly (string Key, string Value)[] Turn =
    [
        ("Turn:Secret", Secret),
        ("Turn:Urls:0", TurnUrl),
        ("StunUrls:0", StunUrl),
    ];

    [Fact]
    public async Task The_http_endpoint_hands_out_turn_credentials_for_the_id_and_stun_and_is_not_cached()
    {
        await using var server = await TestServer.StartAsync(Turn);
        using var http = new HttpClient();

        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var response = await http.GetAsync(new Uri(server.HttpAddress, "/ice-servers?client_id=alice"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore, $"Cache-Control: {response.Headers.CacheControl}");
        var data = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Null(ProtocolSchema.ServerMessageViolation(new JsonObject { ["type"] = "IceServers", ["data"] = data.DeepClone() }.ToJsonString()));
        AssertCredentialsFor("alice", data, before, ttlSeconds: 3600);
        Assert.Equal(3600, data["ttl_seconds"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("")]
    [InlineData("?client_id=")]
    [InlineData("?client_id=%20%20")]
    [InlineData("?client_id=a%00b")]
    [InlineData("?client_id=a%E2%80%8Bb")]
    [InlineData("?client_id=a&client_id=b")]
    public async Task A_client_id_registration_would_refuse_gets_400(string query)
    {
        await using var server = await TestServer.StartAsync(Turn);
        using var http = new HttpClient();

        using var response = await http.GetAsync(new Uri(server.HttpAddress, "/ice-servers" + query));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'client_id' is required", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_id_longer_than_128_characters_gets_400_and_one_of_128_does_not()
    {
        await using var server = await TestServer.StartAsync(Turn);
        using var http = new HttpClient();

        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(new Uri(server.HttpAddress, $"/ice-servers?client_id={new string('a', 129)}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(server.HttpAddress, $"/ice-servers?client_id={new string('a', 128)}"))).StatusCode);
    }

    [Fact]
    public async Task Without_authentication_each_address_is_rate_limited()
    {
        await using var server = await TestServer.StartAsync(Turn);
        using var http = new HttpClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            using var response = await http.GetAsync(new Uri(server.HttpAddress, "/ice-servers?client_id=alice"));
            statuses.Add(response.StatusCode);
        }

        // The burst is 20, refilled one every 3 s: however slowly this machine sends the 30, the
        // first 20 pass and some of the rest are refused.
        Assert.All(statuses.Take(20), status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses.Skip(20));
    }

    [Fact]
    public async Task The_endpoint_can_be_switched_off()
    {
        await using var server = await TestServer.StartAsync([.. Turn, ("Turn:HttpEndpoint", "false")]);
        using var http = new HttpClient();

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(server.HttpAddress, "/ice-servers?client_id=alice"))).StatusCode);

        // The in-band request still works.
        await using var alice = await TestClient.JoinAsync(server, "alice", 0, 0);
        await alice.SendAsync("RequestIceServers");
        AssertCredentialsFor("alice", (await alice.ExpectAsync("IceServers")).Data!, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1, ttlSeconds: 3600);
    }

    [Fact]
    public async Task With_authentication_the_token_is_required_and_its_subject_is_the_id()
    {
        await using var server = await TestServer.StartAsync([.. Turn, ("Auth:SigningKey", AuthenticationTests.Key)]);
        using var http = new HttpClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri(server.HttpAddress, "/ice-servers?client_id=alice"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri(server.HttpAddress, $"/ice-servers?client_id=alice&access_token={AuthenticationTests.Token("alice", key: "another key that is long enough for HS256 too")}"))).StatusCode);

        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.HttpAddress, "/ice-servers?client_id=mallory"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AuthenticationTests.Token("alice"));
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertCredentialsFor("alice", JsonNode.Parse(await response.Content.ReadAsStringAsync())!, before, ttlSeconds: 3600);

        // The query parameter carries the token as for the WebSocket, and no client_id is needed.
        using var byQuery = await http.GetAsync(new Uri(server.HttpAddress, $"/ice-servers?access_token={AuthenticationTests.Token("bob")}"));
        Assert.Equal(HttpStatusCode.OK, byQuery.StatusCode);
        AssertCredentialsFor("bob", JsonNode.Parse(await byQuery.Content.ReadAsStringAsync())!, before, ttlSeconds: 3600);
    }

    [Fact]
    public async Task A_registered_client_gets_credentials_for_its_id_and_before_registering_an_error()
    {
        await using var server = await TestServer.StartAsync(Turn);
        await using var alice = await TestClient.ConnectAsync(server);

        await alice.SendAsync("RequestIceServers");
        Assert.Equal(ProtocolErrors.NotRegistered, await alice.ExpectErrorAsync());

        await alice.MoveAsync("alice", 0, 0);
        await alice.ExpectAsync("NearbyPeers");
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await alice.SendTextAsync("""{"type":"RequestIceServers"}""");
        AssertCredentialsFor("alice", (await alice.ExpectAsync("IceServers")).Data!, before, ttlSeconds: 3600);

        // "data": null is the same request.
        await alice.SendTextAsync("""{"type":"RequestIceServers","data":null}""");
        await alice.ExpectAsync("IceServers");
    }

    [Fact]
    public async Task Without_a_secret_there_is_no_turn_entry_only_stun()
    {
        await using var server = await TestServer.StartAsync(("Turn:Urls:0", TurnUrl), ("StunUrls:0", StunUrl));
        await using var alice = await TestClient.JoinAsync(server, "alice", 0, 0);

        await alice.SendAsync("RequestIceServers");
        var servers = (await alice.ExpectAsync("IceServers")).Data!["ice_servers"]!.AsArray();

        var only = Assert.Single(servers)!;
        Assert.Equal([StunUrl], only["urls"]!.AsArray().Select(url => url!.GetValue<string>()));
        Assert.Null(only["username"]);
        Assert.Null(only["credential"]);
    }

    [Fact]
    public async Task A_client_that_asked_is_sent_fresh_credentials_at_three_quarters_of_the_ttl_and_others_are_not()
    {
        await using var server = await TestServer.StartAsync([.. Turn, ("Turn:TtlSeconds", "4")]);
        await using var alice = await TestClient.JoinAsync(server, "alice", 0, 0);
        await using var bob = await TestClient.JoinAsync(server, "bob", 1000, 1000);

        await alice.SendAsync("RequestIceServers");
        var first = Expiry((await alice.ExpectAsync("IceServers")).Data!);

        // Due 3 s after the request, checked twice a second; each refresh schedules the next.
        var second = Expiry((await alice.ExpectAsync("IceServers")).Data!);
        var third = Expiry((await alice.ExpectAsync("IceServers")).Data!);
        Assert.True(second > first, $"the refresh expires at {second}, not after the first ({first})");
        Assert.True(third > second, $"the second refresh expires at {third}, not after the first refresh ({second})");
        Assert.Null(await bob.TryNextAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task A_hub_client_asks_the_same_way()
    {
        await using var server = await TestServer.StartAsync(Turn);
        await using var hub = await HubTestClient.JoinAsync(server, "carol", 0, 0);

        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await hub.Connection.InvokeAsync("RequestIceServers");
        var data = await hub.ExpectAsync("IceServers");

        AssertCredentialsFor("carol", JsonNode.Parse(data.GetRawText())!, before, ttlSeconds: 3600);
    }

    [Fact]
    public async Task A_hub_client_must_register_first()
    {
        await using var server = await TestServer.StartAsync(Turn);
        await using var hub = await HubTestClient.ConnectAsync(server);

        await hub.Connection.InvokeAsync("RequestIceServers");

        Assert.Equal(ProtocolErrors.NotRegistered, (await hub.ExpectAsync("Error")).GetString());
    }

    /// <summary>The TURN entry names the id, expires a TTL from when it was issued, and its credential is the HMAC of its username.</summary>
    internal static void AssertCredentialsFor(string clientId, JsonNode data, long issuedNoEarlierThan, int ttlSeconds)
    {
        var turn = data["ice_servers"]!.AsArray().Single(entry => entry!["username"] is not null)!;
        Assert.Equal([TurnUrl], turn["urls"]!.AsArray().Select(url => url!.GetValue<string>()));
        var username = turn["username"]!.GetValue<string>();
        Assert.EndsWith($":{clientId}", username, StringComparison.Ordinal);
        var expiry = long.Parse(username.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiry, issuedNoEarlierThan + ttlSeconds, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + ttlSeconds);
        Assert.Equal(ExpectedCredential(username), turn["credential"]!.GetValue<string>());
        Assert.Contains(data["ice_servers"]!.AsArray(), entry => entry!["username"] is null && entry["urls"]![0]!.GetValue<string>() == StunUrl);
    }

    internal static string ExpectedCredential(string username, string secret = Secret)
    {
#pragma warning disable CA5350 // The TURN REST API's algorithm, checked as coturn checks it.
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username)));
#pragma warning restore CA5350
    }

    private static long Expiry(JsonNode data) =>
        long.Parse(data["ice_servers"]![0]!["username"]!.GetValue<string>().Split(':')[0], System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A node on Redis hands out ICE servers like a single one: credentials need no shared state.</summary>
[Collection(RedisTests.Name)]
public sealed class IceServersOnRedisTests(RedisFixture redis)
{
    [Fact]
    public async Task A_node_on_redis_answers_requests_for_ice_servers()
    {
        await using var node = await TestServer.StartNodeAsync(redis.ConnectionString, RedisFixture.UniquePrefix(), IceServersTests.Turn);
        await using var alice = await TestClient.JoinAsync(node, "alice", 0, 0);

        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await alice.SendAsync("RequestIceServers");

        IceServersTests.AssertCredentialsFor("alice", (await alice.ExpectAsync("IceServers")).Data!, before, ttlSeconds: 3600);
    }
}
