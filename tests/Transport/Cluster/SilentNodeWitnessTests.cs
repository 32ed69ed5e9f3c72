using ProxChat.Transport.Cluster;

namespace ProxChat.Transport.Tests.Cluster;

public class SilentNodeWitnessTests
{
    private readonly SilentNodeWitness _witness = new(TimeSpan.FromSeconds(1));

    [Fact]
    public void A_node_found_silent_once_is_not_dead_yet()
    {
        Assert.Empty(_witness.Confirm(10_000, ["b"]));
    }

    [Fact]
    public void A_node_still_silent_a_confirmation_later_is_dead_and_not_a_moment_sooner()
    {
        _witness.Confirm(10_000, ["b", "c"]);

        Assert.Empty(_witness.Confirm(10_999, ["b", "c"]));
        Assert.Equal(["b", "c"], _witness.Confirm(11_000, ["b", "c"]));
    }

    [Fact]
    public void Checks_answered_in_one_burst_after_a_stall_confirm_nothing()
    {
        // Four checks sent while Redis was stopped, all run the moment it resumes.
        for (var i = 0; i < 4; i++)
        {
            Assert.Empty(_witness.Confirm(50_000 + i, ["b"]));
        }

        // The next check, a period later: b's beats, delayed by the same stall, have landed.
        Assert.Empty(_witness.Confirm(51_000, []));
        Assert.Empty(_witness.Confirm(52_000, ["b"]));
    }

    [Fact]
    public void A_node_that_beat_in_between_starts_over()
    {
        _witness.Confirm(10_000, ["b"]);
        _witness.Confirm(10_500, []);

        Assert.Empty(_witness.Confirm(11_000, ["b"]));
        Assert.Equal(["b"], _witness.Confirm(12_000, ["b"]));
    }

    [Fact]
    public void Forgotten_sightings_count_for_nothing()
    {
        _witness.Confirm(10_000, ["b"]);
        _witness.Forget();

        Assert.Empty(_witness.Confirm(20_000, ["b"]));
    }
}
