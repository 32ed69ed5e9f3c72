using Microsoft.Extensions.Logging;
using ProxChat.Transport.Cluster;

namespace ProxChat.Transport.Tests.Cluster;

public class RedisServerCheckTests
{
    [Theory]
    [InlineData("6.2.0")]
    [InlineData("7.0.15")]
    [InlineData("7.2.4")]
    public void A_redis_with_geosearch_and_no_memory_limit_is_fine(string version)
    {
        Assert.Empty(RedisServerCheck.Problems(Version.Parse(version), maxMemory: 0, "allkeys-lru"));
    }

    [Fact]
    public void A_redis_without_geosearch_is_an_error()
    {
        var (level, text) = Assert.Single(RedisServerCheck.Problems(new Version(6, 0, 16), maxMemory: 0, "noeviction"));

        Assert.Equal(LogLevel.Error, level);
        Assert.Contains("GEOSEARCH", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("allkeys-lru", true)]
    [InlineData("allkeys-lfu", true)]
    [InlineData("allkeys-random", true)]
    [InlineData("noeviction", false)]
    [InlineData("volatile-lru", false)]
    [InlineData("volatile-ttl", false)]
    public void Under_a_memory_limit_only_a_policy_that_may_evict_any_key_is_a_warning(string policy, bool warned)
    {
        var problems = RedisServerCheck.Problems(new Version(7, 0), maxMemory: 100 << 20, policy).ToList();

        Assert.Equal(warned, problems.Count == 1);
        Assert.All(problems, problem => Assert.Equal(LogLevel.Warning, problem.Level));
    }

    [Fact]
    public void Info_fields_are_read_past_headers_and_carriage_returns()
    {
        var fields = RedisServerCheck.ParseInfo("# Memory\r\nused_memory:1024\r\nmaxmemory:104857600\r\nmaxmemory_policy:allkeys-lru\r\n\r\n");

        Assert.Equal("104857600", fields["maxmemory"]);
        Assert.Equal("allkeys-lru", fields["maxmemory_policy"]);
        Assert.Equal(3, fields.Count);
    }
}
