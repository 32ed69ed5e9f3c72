namespace ProxChat.Host.Tests.Cluster;

/// <summary>What a node says about a Redis configured in a way that would lose its state without an error.</summary>
public sealed class RedisSettingsTests
{
    [Fact]
    public async Task A_node_warns_of_a_redis_that_may_evict_any_key()
    {
        await using var redis = await RedisServer.StartAsync("--maxmemory", "100mb", "--maxmemory-policy", "allkeys-lru");
        await using var node = await NodeProcess.StartAsync(redis.ConnectionString, RedisFixture.UniquePrefix());

        await Eventually.HoldsAsync(
            () => node.Output.Any(line => line.Contains("maxmemory-policy is allkeys-lru", StringComparison.Ordinal)),
            TestClient.Deadline,
            () => $"no warning of the eviction policy; the node's output: {string.Join(" | ", node.Output)}");
    }
}
