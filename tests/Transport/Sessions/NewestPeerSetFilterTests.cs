using ProxChat.Proximity;
using ProxChat.Transport.Protocol;
using ProxChat.Transport.Sessions;

namespace ProxChat.Transport.Tests.Sessions;

public class NewestPeerSetFilterTests
{
    [Fact]
    public void An_older_set_after_a_newer_one_is_dropped_and_everything_else_passes()
    {
        var filter = default(NewestPeerSetFilter);

        Assert.True(filter.Admits(ServerMessage.NearbyPeers(new PeerSnapshot(["a"], 5))));
        Assert.False(filter.Admits(ServerMessage.NearbyPeers(new PeerSnapshot([], 4))));
        Assert.True(filter.Admits(ServerMessage.Error("not a set")));
        Assert.True(filter.Admits(ServerMessage.NearbyPeers(new PeerSnapshot(["a"], 5))), "a re-sent current set (a refresh) passes");
        Assert.True(filter.Admits(ServerMessage.NearbyPeers(new PeerSnapshot([], 6))));
        Assert.False(filter.Admits(ServerMessage.NearbyPeers(new PeerSnapshot(["a"], 5))));
    }
}
