using ProxChat.Transport.Cluster;

namespace ProxChat.Transport.Tests.Cluster;

public class NodeEntryTests
{
    private readonly RedisKeys _keys = new("p");

    [Fact]
    public void An_entry_names_the_connection_and_the_client_s_partition()
    {
        var entry = RedisPresenceStore.NodeEntry(42, "0:0:1", []);

        Assert.Equal("42 0:0:1", entry);
        var (connectionId, tags) = RedisPresenceStore.ParseNodeEntry(entry);
        Assert.Equal(42, connectionId);
        Assert.Equal(["0:0:1"], tags);
    }

    [Fact]
    public void Partitions_the_client_may_still_be_in_follow_its_own()
    {
        var entry = RedisPresenceStore.NodeEntry(7, "3:-1:2", [_keys.PartitionKeys("3:-1:1"), _keys.PartitionKeys("0:0:9")]);

        Assert.Equal("7 3:-1:2 3:-1:1 0:0:9", entry);
        Assert.Equal(["3:-1:2", "3:-1:1", "0:0:9"], RedisPresenceStore.ParseNodeEntry(entry).Tags);
    }
}
