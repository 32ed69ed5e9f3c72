using ProxChat.Proximity;

namespace ProxChat.Proximity.Tests;

public class ProximityWorldTests
{
    [Fact]
    public void First_placement_of_a_lone_member_changes_nothing()
    {
        var f = new WorldFixture();
        Assert.Empty(f.Place("a", 0, 0));
        Assert.Empty(f.Peers("a"));
        Assert.Equal(1, f.World.MemberCount);
    }

    [Fact]
    public void Members_within_introduction_range_are_linked_and_both_told()
    {
        var f = new WorldFixture();
        f.Place("a", 0, 0);
        var changes = f.Place("b", 12, 16);

        Assert.Equal(["b"], changes["a"]);
        Assert.Equal(["a"], changes["b"]);
        Assert.Equal(["b"], f.Peers("a"));
        Assert.Equal(["a"], f.Peers("b"));
    }

    [Fact]
    public void Hysteresis_links_at_introduction_range_and_unlinks_beyond_disconnection_range()
    {
        var f = new WorldFixture();
        f.Place("a", 0, 0);
        Assert.Empty(f.Place("b", 21, 0)); // between the ranges, never linked: stays apart
        Assert.Empty(f.Place("b", 25, 0));
        Assert.Equal(2, f.Place("b", 20, 0).Count); // link
        Assert.Empty(f.Place("b", 25, 0)); // linked, at the disconnection range: stays
        Assert.Empty(f.Place("b", 15, 20)); // exactly 25 on a diagonal: stays
        var changes = f.Place("b", 26, 0);
        Assert.Empty(changes["a"]);
        Assert.Empty(changes["b"]);
        Assert.Empty(f.Place("b", 21, 0)); // unlinked again, between the ranges: stays apart
    }

    [Fact]
    public void A_move_that_changes_no_link_reports_nothing()
    {
        var f = new WorldFixture();
        f.Place("a", 0, 0);
        f.Place("b", 5, 5);
        Assert.Empty(f.Place("b", 6, 6));
        Assert.Empty(f.Place("a", -3, 0));
    }

    [Theory]
    [InlineData(1, 0, 1)]
    [InlineData(0, 1, 1)]
    [InlineData(0, 0, 2)]
    public void Members_in_different_partitions_are_never_linked(int gameId, int channel, int mapId)
    {
        var f = new WorldFixture();
        f.Place("a", 0, 0);
        Assert.Empty(f.Place("b", 0, 0, new Partition(gameId, channel, mapId)));
        Assert.Empty(f.Peers("a"));
        Assert.Equal(2, f.World.PartitionCount);
    }

    [Fact]
    public void Changing_partition_unlinks_the_old_peers_and_links_the_new_ones()
    {
        var f = new WorldFixture();
        var map2 = new Partition(0, 0, 2);
        f.Place("a", 0, 0);
        f.Place("b", 1, 1);
        f.Place("c", 0, 0, map2);

        var changes = f.Place("b", 1, 1, map2);

        Assert.Empty(changes["a"]);
        Assert.Equal(["c"], changes["b"]);
        Assert.Equal(["b"], changes["c"]);
    }

    [Fact]
    public void Changing_partition_away_from_all_peers_reports_the_mover_empty()
    {
        var f = new WorldFixture();
        f.Place("a", 0, 0);
        f.Place("b", 1, 1);

        var changes = f.Place("b", 1, 1, new Partition(0, 0, 9));

        Assert.Empty(changes["a"]);
        Assert.Empty(changes["b"]);
        Assert.Equal(2, f.World.PartitionCount);
    }

    [Fact]
    public void Removal_tells_former_peers_and_cannot_be_undone_by_a_late_placement()
    {
        var f = new WorldFixture();
        f.Place("a", 0, 0);
        f.Place("b", 1, 1);
        f.Place("c", 2, 2);

        var changes = f.Remove("b");

        Assert.Equal(["c"], changes["a"]);
        Assert.Equal(["a"], changes["c"]);
        Assert.False(changes.ContainsKey("b"));
        Assert.Empty(f.Place("b", 1, 1));
        Assert.Equal(["c"], f.Peers("a"));
        Assert.Equal(2, f.World.MemberCount);
    }

    [Fact]
    public void Empty_partitions_are_dropped()
    {
        var f = new WorldFixture();
        f.Place("a", 0, 0);
        f.Place("a", 0, 0, new Partition(1, 2, 3));
        Assert.Equal(1, f.World.PartitionCount);
        f.Remove("a");
        Assert.Equal(0, f.World.PartitionCount);
        Assert.Equal(0, f.World.MemberCount);
    }

    [Fact]
    public void Links_work_across_cell_borders_and_around_zero()
    {
        var f = new WorldFixture();
        f.Place("a", -1, -1);
        var changes = f.Place("b", 1, 1);
        Assert.Equal(["b"], changes["a"]);

        f.Place("c", 24, 0);
        f.Place("d", 26, 0); // other side of the cell border at 25
        Assert.Contains("d", f.Peers("c"));
    }

    [Fact]
    public void Links_work_at_the_edges_of_the_coordinate_space()
    {
        var f = new WorldFixture();
        f.Place("a", int.MaxValue, int.MinValue);
        var changes = f.Place("b", int.MaxValue - 12, int.MinValue + 16);
        Assert.Equal(["b"], changes["a"]);
        Assert.Empty(f.Place("c", int.MinValue, int.MaxValue));
    }

    [Fact]
    public void Versions_grow_with_every_change_to_the_set()
    {
        var f = new WorldFixture();
        f.Place("a", 0, 0);
        var v0 = f.World.Snapshot(f.Member("a")).Version;
        f.Place("b", 1, 1);
        var v1 = f.World.Snapshot(f.Member("a")).Version;
        f.Place("b", 100, 100);
        var v2 = f.World.Snapshot(f.Member("a")).Version;
        Assert.True(v0 < v1 && v1 < v2, $"{v0} < {v1} < {v2}");
    }

    [Fact]
    public void Relay_grace_lasts_the_configured_time_after_an_unlink()
    {
        var f = new WorldFixture(graceSeconds: 10);
        f.Place("a", 0, 0);
        f.Place("b", 1, 1);
        f.Place("c", 1000, 1000);
        var (a, b, c) = (f.Member("a"), f.Member("b"), f.Member("c"));
        Assert.True(f.World.IsLinkedOrInGrace(a, b));
        Assert.False(f.World.IsLinkedOrInGrace(a, c));

        f.Place("b", 500, 500);
        f.Clock.Advance(TimeSpan.FromSeconds(9.9));
        Assert.True(f.World.IsLinkedOrInGrace(a, b));
        Assert.True(f.World.IsLinkedOrInGrace(b, a));

        f.Clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.False(f.World.IsLinkedOrInGrace(a, b));
        Assert.False(f.World.IsLinkedOrInGrace(b, a));
    }

    [Fact]
    public void Zero_ranges_link_only_members_on_the_same_point()
    {
        var f = new WorldFixture(introduction: 0, disconnection: 0);
        f.Place("a", 3, 3);
        Assert.Empty(f.Place("b", 3, 4));
        Assert.Equal(2, f.Place("b", 3, 3).Count);
        Assert.Equal(2, f.Place("b", 4, 3).Count);
    }
}
