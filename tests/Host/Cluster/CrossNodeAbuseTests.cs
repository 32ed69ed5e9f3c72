using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ProxChat.Transport.Protocol;

namespace ProxChat.Host.Tests.Cluster;

/// <summary>The identity and budget rules between clients on different nodes of one Redis.</summary>
[Collection(RedisTests.Name)]
public sealed class CrossNodeAbuseTests(RedisFixture redis)
{
    private const string Key = "a test signing key that is long enough for HS256";

    [Fact]
    public async Task A_sender_on_another_node_hears_that_a_target_which_does_not_read_is_busy()
    {
        var prefix = RedisFixture.UniquePrefix();
        (string, string)[] settings = [("SendQueueLimit", "16"), ("MessageRateLimit", "0"), ("RelayBytesPerSecond", "0")];
        await using var node1 = await TestServer.StartNodeAsync(redis.ConnectionString, prefix, settings);
        await using var node2 = await TestServer.StartNodeAsync(redis.ConnectionString, prefix, settings);
        await using var sender = await TestClient.JoinAsync(node1, "sender", 0, 0);
        using var stuck = await RawWebSocketClient.ConnectAsync(node2, receiveBufferSize: 4096);
        await stuck.SendTextAsync("""{"type":"UpdatePosition","data":{"client_id":"stuck","map_id":1,"x":1,"y":1}}""");
        await sender.WaitForPeersAsync("stuck");

        // The target's node refuses the relay and tells the sender over the bus, a moment later.
        var offer = new string('o', 60_000);
        string? refusal = null;
        for (var i = 0; i < 2_000 && refusal is null; i++)
        {
            await sender.SendRelayAsync("SendOffer", "stuck", "offer", offer);
            if (await sender.TryNextAsync(TimeSpan.FromMilliseconds(50)) is { Type: "Error" } error)
            {
                refusal = error.Data!.GetValue<string>();
            }
        }

        Assert.Equal(ProtocolErrors.TargetBusy("stuck"), refusal);
        Assert.Equal(["stuck"], await sender.RefreshAsync());
    }

    [Fact]
    public async Task A_tokens_owner_takes_its_id_over_from_another_node_at_once()
    {
        var prefix = RedisFixture.UniquePrefix();
        (string, string)[] settings = [("Auth:SigningKey", Key), ("TakeoverProbeSeconds", "30")];
        await using var node1 = await TestServer.StartNodeAsync(redis.ConnectionString, prefix, settings);
        await using var node2 = await TestServer.StartNodeAsync(redis.ConnectionString, prefix, settings);
        await using var old = await TestClient.ConnectAsync(node1, $"/?access_token={Token("alice")}");
        await old.MoveAsync("alice", 0, 0);
        await old.ExpectPeersAsync();

        await using var fresh = await TestClient.ConnectAsync(node2, $"/?access_token={Token("alice")}");
        await fresh.MoveAsync("alice", 0, 0);
        await fresh.ExpectPeersAsync();

        // Well inside the 30 s probe the token's owner did not wait for.
        Assert.Equal(4000, (int)(await old.ExpectClosedAsync()).Status!);

        // And no other subject can register the id on either node.
        await using var mallory = await TestClient.ConnectAsync(node1, $"/?access_token={Token("mallory")}");
        await mallory.MoveAsync("alice", 0, 0);
        Assert.Equal(ProtocolErrors.ClientIdNotSubject("mallory"), await mallory.ExpectErrorAsync());
    }

    private static string Token(string subject) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Claims = new Dictionary<string, object> { ["sub"] = subject },
        Expires = DateTime.UtcNow.AddMinutes(5),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Key)), SecurityAlgorithms.HmacSha256),
    });
}
