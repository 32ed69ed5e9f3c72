using Microsoft.Extensions.Time.Testing;
using ProxChat.Proximity;
using ProxChat.Transport.Cluster;
using ProxChat.Transport.Presence;

namespace ProxChat.Transport.Tests.Cluster;

public class PeerViewsTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();
    private readonly PeerViews _views;

    public PeerViewsTests()
    {
        _views = new PeerViews(Grace, _time);
    }

    [Fact]
    public void A_tracked_client_may_relay_to_the_peers_it_was_sent()
    {
        _views.Track("a");
        _views.Update("a", new PeerSnapshot(["b", "c"], 1));

        Assert.Equal(RelayCheck.AllowedOnLink, _views.Check("a", "b"));
        Assert.Equal(RelayCheck.AllowedOnLink, _views.Check("a", "c"));
        Assert.Equal(RelayCheck.NotNearby, _views.Check("a", "d"));
    }

    [Fact]
    public void A_peer_that_left_stays_relayable_for_exactly_the_grace_period()
    {
        _views.Track("a");
        _views.Update("a", new PeerSnapshot(["b"], 1));
        _views.Update("a", new PeerSnapshot([], 2));

        _time.Advance(Grace);
        Assert.Equal(RelayCheck.Allowed, _views.Check("a", "b"));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(RelayCheck.NotNearby, _views.Check("a", "b"));
    }

    [Fact]
    public void An_older_set_arriving_late_does_not_roll_the_view_back_but_its_ended_links_get_the_grace_period()
    {
        _views.Track("a");
        _views.Update("a", new PeerSnapshot(["c"], 5));

        // Linked to b at version 4 and unlinked by 5; b may have offered in between.
        _views.Update("a", new PeerSnapshot(["b"], 4));

        Assert.Equal(RelayCheck.Allowed, _views.Check("a", "b"));
        _time.Advance(Grace + TimeSpan.FromTicks(1));
        Assert.Equal(RelayCheck.NotNearby, _views.Check("a", "b"));
        Assert.Equal(RelayCheck.AllowedOnLink, _views.Check("a", "c"));
    }

    [Fact]
    public void A_client_may_answer_a_peer_that_relayed_to_it_for_the_grace_period_before_its_set_shows_the_link()
    {
        _views.Track("a");
        _views.Update("a", new PeerSnapshot(["c"], 1));

        _views.AdmitRepliesFrom("a", "b");

        // In grace, not on a link: a's relays to b admit nothing there, so neither side can keep
        // the other's grace going.
        Assert.Equal(RelayCheck.Allowed, _views.Check("a", "b"));
        _time.Advance(Grace);
        Assert.Equal(RelayCheck.Allowed, _views.Check("a", "b"));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(RelayCheck.NotNearby, _views.Check("a", "b"));
        Assert.Equal(RelayCheck.AllowedOnLink, _views.Check("a", "c"));
    }

    [Fact]
    public void A_relay_within_the_set_changes_nothing_and_one_to_an_untracked_client_leaves_nothing_behind()
    {
        _views.Track("a");
        _views.Update("a", new PeerSnapshot(["b"], 1));
        _views.AdmitRepliesFrom("a", "b");
        _views.AdmitRepliesFrom("gone", "b");

        // b leaves the set: the grace runs from then, not from the relay.
        _time.Advance(Grace);
        _views.Update("a", new PeerSnapshot([], 2));
        _time.Advance(Grace);
        Assert.Equal(RelayCheck.Allowed, _views.Check("a", "b"));
        Assert.Equal(1, _views.Count);
        Assert.Equal(RelayCheck.NotNearby, _views.Check("gone", "b"));
    }

    [Fact]
    public void Sets_for_clients_that_are_not_tracked_leave_nothing_behind()
    {
        _views.Track("a");
        _views.Remove("a");

        // A set still on its way when the client left, and one for a client on another node.
        _views.Update("a", new PeerSnapshot(["b"], 1));
        _views.Update("elsewhere", new PeerSnapshot(["b"], 1));

        Assert.Equal(0, _views.Count);
        Assert.Equal(RelayCheck.NotNearby, _views.Check("a", "b"));
    }

    [Fact]
    public void Tracking_again_keeps_the_view_of_a_client_taken_over_on_the_same_node()
    {
        _views.Track("a");
        _views.Update("a", new PeerSnapshot(["b"], 1));
        _views.Track("a");

        Assert.Equal(RelayCheck.AllowedOnLink, _views.Check("a", "b"));
        Assert.Equal(1, _views.Count);
    }

    [Fact]
    public void Changes_for_clients_elsewhere_go_first_and_those_here_are_recorded()
    {
        _views.Track("a");
        _views.Track("c");
        List<PeerChange> changes =
        [
            new("a", new PeerSnapshot(["b"], 5)),
            new("b", new PeerSnapshot(["a"], 5)),
            new("c", new PeerSnapshot(["d"], 5)),
            new("d", new PeerSnapshot(["c"], 5)),
        ];

        RedisPresenceStore.RecordAndOrder(changes, _views);

        Assert.Equal(["b", "d", "a", "c"], changes.Select(change => change.ClientId));
        Assert.Equal(RelayCheck.AllowedOnLink, _views.Check("a", "b"));
        Assert.Equal(RelayCheck.AllowedOnLink, _views.Check("c", "d"));
        Assert.Equal(2, _views.Count);
    }
}
