using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ProxChat.Transport.Ice;
using ProxChat.Transport.Protocol;
using ProxChat.Transport.Signaling;

namespace ProxChat.Transport.Tests.Ice;

public class TurnCredentialsTests
{
    // Expected values computed outside .NET:
    //   printf '%s' '1700000000:alice' | openssl dgst -sha1 -hmac 'proxchat-test-secret' -binary | base64
    //   printf '%s' '1700003600:ünïcode:id' | openssl dgst -sha1 -hmac 'sécret' -binary | base64
    [Theory]
    [InlineData("proxchat-test-secret", "alice", 1_700_000_000L, "1700000000:alice", "EVp4QMOEgYM2Y6L3CHXQIBsHR1M=")]
    [InlineData("sécret", "ünïcode:id", 1_700_003_600L, "1700003600:ünïcode:id", "OSre+2YD77EmjplwDYS4HqL1wv0=")]
    public void The_credential_is_the_base64_hmac_sha1_of_the_username(string secret, string clientId, long expiry, string username, string credential)
    {
        var issued = TurnCredentials.Create(secret, clientId, DateTimeOffset.FromUnixTimeSeconds(expiry));

        Assert.Equal(username, issued.Username);
        Assert.Equal(credential, issued.Credential);
    }

    [Fact]
    public void The_issuer_lists_turn_with_credentials_expiring_a_ttl_from_now_then_stun()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_699_996_400));
        var issuer = Issuer(time, new ProxChatOptions
        {
            Turn = new TurnSettings { Secret = "proxchat-test-secret", Urls = ["turn:turn.example.com:3478?transport=udp"], TtlSeconds = 3600 },
            StunUrls = ["stun:stun.example.com:3478"],
        });

        Assert.Equal(
            """{"ice_servers":[{"urls":["turn:turn.example.com:3478?transport=udp"],"username":"1700000000:alice","credential":"EVp4QMOEgYM2Y6L3CHXQIBsHR1M="},{"urls":["stun:stun.example.com:3478"]}],"ttl_seconds":3600}""",
            System.Text.Encoding.UTF8.GetString(issuer.IssueUtf8("alice")));
        Assert.True(issuer.IssuesTurn);
        Assert.Equal(TimeSpan.FromSeconds(2700), issuer.RefreshAfter);
        Assert.DoesNotContain("proxchat-test-secret", issuer.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_secret_only_the_stun_servers_are_handed_out()
    {
        var issuer = Issuer(TimeProvider.System, new ProxChatOptions
        {
            Turn = new TurnSettings { Urls = ["turn:turn.example.com:3478"] },
            StunUrls = ["stun:stun.example.com:3478"],
        });

        using var json = JsonDocument.Parse(issuer.IssueUtf8("alice"));
        var servers = json.RootElement.GetProperty("ice_servers");
        Assert.Equal(1, servers.GetArrayLength());
        Assert.False(servers[0].TryGetProperty("username", out _));
        Assert.False(issuer.IssuesTurn);
    }

    [Fact]
    public void The_ice_servers_message_writes_the_object_as_it_was_issued()
    {
        var data = """{"ice_servers":[],"ttl_seconds":60}"""u8.ToArray();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, ServerMessageWriter.WriterOptions))
        {
            ServerMessageWriter.Write(writer, ServerMessage.IceServers(data));
        }

        Assert.Equal("""{"type":"IceServers","data":{"ice_servers":[],"ttl_seconds":60}}""", System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7 * 86_400 + 1)]
    public void A_ttl_out_of_range_is_refused(int ttl)
    {
        var options = new ProxChatOptions { Turn = new TurnSettings { TtlSeconds = ttl } };
        Assert.Contains(options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)), problem => problem.ErrorMessage!.Contains("Turn:TtlSeconds", StringComparison.Ordinal));
    }

    [Fact]
    public void A_secret_without_urls_and_urls_of_the_wrong_scheme_are_refused()
    {
        var options = new ProxChatOptions
        {
            Turn = new TurnSettings { Secret = "s" },
            StunUrls = ["turn:turn.example.com"],
        };
        var problems = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(problem => problem.ErrorMessage!).ToList();

        Assert.Contains(problems, problem => problem.Contains("Turn:Urls is empty", StringComparison.Ordinal));
        Assert.Contains(problems, problem => problem.Contains("not a STUN URL", StringComparison.Ordinal));
    }

    private static IceServerIssuer Issuer(TimeProvider time, ProxChatOptions options) => new(Options.Create(options), time);
}
