using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ProxChat.Transport.Protocol;

namespace ProxChat.Host.Tests;

/// <summary>With a signing key configured, every connection proves with a token which client_id it is.</summary>
public sealed class AuthenticationTests
{
    internal const string Key = "a test signing key that is long enough for HS256";
    private static readonly (string Key, string Value) SigningKey = ("Auth:SigningKey", Key);

    [Fact]
    public async Task A_connection_without_a_valid_token_is_refused_with_401_before_any_websocket()
    {
        await using var server = await TestServer.StartAsync(SigningKey);

        Assert.Equal(HttpStatusCode.Unauthorized, await UpgradeStatus.OfAsync(server));
        Assert.Equal(HttpStatusCode.Unauthorized, await UpgradeStatus.OfAsync(server, "/ws?access_token=not.a.token"));
        Assert.Equal(HttpStatusCode.Unauthorized, await UpgradeStatus.OfAsync(server, $"/?access_token={Token("alice", key: "another key that is long enough for HS256 too")}"));
        Assert.Equal(HttpStatusCode.Unauthorized, await UpgradeStatus.OfAsync(server, $"/?access_token={Token("alice", expires: DateTime.UtcNow.AddMinutes(-5))}"));
        Assert.Equal(HttpStatusCode.Unauthorized, await UpgradeStatus.OfAsync(server, $"/?access_token={Token(subject: null)}"));
        Assert.Equal(HttpStatusCode.Unauthorized, await UpgradeStatus.OfAsync(server, $"/?access_token={UnsignedToken("alice")}"));

        // The demo page and the probes stay public.
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(server.HttpAddress)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(server.HttpAddress, "/healthz"))).StatusCode);
    }

    [Fact]
    public async Task A_connection_registers_only_its_tokens_subject_and_only_in_its_tokens_game()
    {
        await using var server = await TestServer.StartAsync(SigningKey);
        await using var alice = await TestClient.ConnectAsync(server, $"/?access_token={Token("alice", gameId: 7)}");

        await alice.MoveAsync("bob", 0, 0, gameId: 7);
        Assert.Equal(ProtocolErrors.ClientIdNotSubject("alice"), await alice.ExpectErrorAsync());
        await alice.MoveAsync("alice", 0, 0, gameId: 8);
        Assert.Equal(ProtocolErrors.GameIdPinned(7), await alice.ExpectErrorAsync());
        await alice.MoveAsync("alice", 0, 0, gameId: 7);
        await alice.ExpectPeersAsync();

        // The header works as well as the query parameter.
        await using var bob = await TestClient.ConnectAsync(server, "/", o => o.SetRequestHeader("Authorization", $"Bearer {Token("bob")}"));
        await bob.MoveAsync("bob", 1, 1, gameId: 7);
        await bob.ExpectPeersAsync("alice");
        await alice.ExpectPeersAsync("bob");
        await bob.SendRelayAsync("SendOffer", "alice", "offer", "signed");
        Assert.Equal("bob", (await alice.ExpectAsync("ReceiveOffer")).SenderId);
    }

    [Fact]
    public async Task The_tokens_owner_takes_its_id_over_at_once()
    {
        await using var server = await TestServer.StartAsync(SigningKey, ("TakeoverProbeSeconds", "30"));
        await using var old = await TestClient.ConnectAsync(server, $"/?access_token={Token("alice")}");
        await old.MoveAsync("alice", 0, 0);
        await old.ExpectPeersAsync();

        var started = Stopwatch.StartNew();
        await using var fresh = await TestClient.ConnectAsync(server, $"/?access_token={Token("alice")}");
        await fresh.MoveAsync("alice", 0, 0);
        await fresh.ExpectPeersAsync();

        Assert.Equal(4000, (int)(await old.ExpectClosedAsync()).Status!);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), "the token's owner waited for a probe");
    }

    [Fact]
    public async Task The_hub_needs_the_token_too()
    {
        await using var server = await TestServer.StartAsync(SigningKey);

        await using var anonymous = new HubConnectionBuilder().WithUrl(new Uri(server.HttpAddress, "/hub")).Build();
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.StartAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(server.HttpAddress, "/hub"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(Token("carol")))
            .Build();
        var errors = new List<string>();
        var peers = new TaskCompletionSource<string[]>();
        hub.On<string>("Error", errors.Add);
        hub.On<string[]>("NearbyPeers", set => peers.TrySetResult(set));
        await hub.StartAsync();
        await hub.InvokeAsync("UpdatePosition", new Dictionary<string, object> { ["client_id"] = "mallory", ["map_id"] = 1, ["x"] = 0, ["y"] = 0 });
        await hub.InvokeAsync("UpdatePosition", new Dictionary<string, object> { ["client_id"] = "carol", ["map_id"] = 1, ["x"] = 0, ["y"] = 0 });

        Assert.Empty(await peers.Task.WaitAsync(TestClient.Deadline));
        Assert.Equal([ProtocolErrors.ClientIdNotSubject("carol")], errors);
    }

    [Fact]
    public async Task The_token_command_prints_a_token_the_server_accepts()
    {
        await using var server = await TestServer.StartAsync(SigningKey);
        var token = await RunTokenCommandAsync("--sub", "dave", "--minutes", "5", $"--ProxChat:Auth:SigningKey={Key}");

        await using var dave = await TestClient.ConnectAsync(server, $"/?access_token={token}");
        await dave.MoveAsync("dave", 0, 0);
        await dave.ExpectPeersAsync();
    }

    [Fact]
    public async Task A_signing_key_shorter_than_32_bytes_stops_the_server_from_starting()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => TestServer.StartAsync(("Auth:SigningKey", "too short")));
        Assert.Contains("at least 32 bytes", failure.Message, StringComparison.Ordinal);
    }

    internal static string Token(string? subject, string key = Key, DateTime? expires = null, int? gameId = null)
    {
        var claims = new Dictionary<string, object>();
        if (subject is not null)
        {
            claims["sub"] = subject;
        }

        if (gameId is { } game)
        {
            claims["game_id"] = game;
        }

        var expiry = expires ?? DateTime.UtcNow.AddMinutes(5);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            IssuedAt = expiry.AddMinutes(-10),
            NotBefore = expiry.AddMinutes(-10),
            Expires = expiry,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>A token with <c>alg: none</c>: it must never be accepted.</summary>
    private static string UnsignedToken(string subject)
    {
        static string Encode(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var expiry = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
        return $"{Encode("""{"alg":"none","typ":"JWT"}""")}.{Encode($$"""{"sub":"{{subject}}","exp":{{expiry}}}""")}.";
    }

    private static async Task<string> RunTokenCommandAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "ProxChat.Host.dll"), "token", .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync());
        return output.Trim();
    }
}
