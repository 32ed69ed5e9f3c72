namespace ProxChat.Host.Tests.Cluster;

/// <summary>What a node needs of its Redis, and what it says about one configured to lose its state without an error.</summary>
public sealed class RedisSettingsTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Nodes_work_as_the_least_privileged_redis_user_the_readme_gives(bool redisCluster)
    {
        var servers = redisCluster ? await RedisServer.StartClusterAsync() : [await RedisServer.StartAsync()];
        try
        {
            var prefix = RedisFixture.UniquePrefix();
            foreach (var server in servers)
            {
                await server.AddLeastPrivilegedUserAsync(prefix);
            }

            var asProxChat = $"{string.Join(',', servers.Select(server => server.ConnectionString))},user=proxchat,password={RedisServer.LeastPrivilegedPassword}";
            await using (var node1 = await TestServer.StartNodeAsync(asProxChat, prefix))
            await using (var node2 = await TestServer.StartNodeAsync(asProxChat, prefix))
            {
                await using var a = await TestClient.JoinAsync(node1, "a", 0, 0);
                await using var b = await TestClient.JoinAsync(node2, "b", 1, 1);
                await a.WaitForPeersAsync("b");
                await a.SendRelayAsync("SendOffer", "b", "offer", "o");
                Assert.Equal("a", (await b.ExpectAsync("ReceiveOffer")).SenderId);
                await b.SendRelayAsync("SendAnswer", "a", "answer", "s");
                Assert.Equal("b", (await a.ExpectAsync("ReceiveAnswer")).SenderId);
            }

            // Not one command, key or channel was refused, at start-up, in use, or while stopping.
            foreach (var server in servers)
            {
                Assert.Equal(string.Empty, await server.AclRefusalsAsync());
            }
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

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
