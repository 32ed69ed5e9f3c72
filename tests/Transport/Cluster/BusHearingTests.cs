using Microsoft.Extensions.Time.Testing;
using ProxChat.Transport.Cluster;

namespace ProxChat.Transport.Tests.Cluster;

public class BusHearingTests
{
    private static readonly TimeSpan JustUnderLimit = BusHearing.SilenceLimit - TimeSpan.FromMilliseconds(1);

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void A_node_listens_only_once_a_probe_has_come_back_and_while_the_last_is_recent()
    {
        var hearing = new BusHearing(_time);
        Assert.False(hearing.IsListening);

        hearing.Heard(isProbe: true);
        Assert.True(hearing.IsListening);

        _time.Advance(JustUnderLimit);
        Assert.True(hearing.IsListening);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(hearing.IsListening);
    }

    [Fact]
    public void Other_messages_do_not_make_a_node_listening()
    {
        var hearing = new BusHearing(_time);

        hearing.Heard(isProbe: false);

        Assert.False(hearing.IsListening);
    }

    [Fact]
    public void A_probe_that_reached_redis_and_never_came_back_is_silence_once_the_limit_has_passed()
    {
        var hearing = new BusHearing(_time);
        hearing.ProbeReachedRedis(_time.GetTimestamp());

        _time.Advance(JustUnderLimit);
        Assert.False(hearing.TakeSilence());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(hearing.TakeSilence());

        // Reported once; the next silence counts from the next probe.
        Assert.False(hearing.TakeSilence());
        hearing.ProbeReachedRedis(_time.GetTimestamp());
        _time.Advance(BusHearing.SilenceLimit);
        Assert.True(hearing.TakeSilence());
    }

    [Fact]
    public void A_bus_that_lags_behind_but_still_delivers_is_not_silent()
    {
        var hearing = new BusHearing(_time);
        hearing.ProbeReachedRedis(_time.GetTimestamp());

        // The probe is queued behind other nodes' messages, which keep arriving.
        for (var second = 0; second < 10; second++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            hearing.Heard(isProbe: false);
            Assert.False(hearing.TakeSilence());
            hearing.ProbeReachedRedis(_time.GetTimestamp());
        }

        Assert.False(hearing.IsListening);
    }

    [Fact]
    public void Probes_that_never_reached_redis_are_no_silence()
    {
        var hearing = new BusHearing(_time);
        hearing.Heard(isProbe: true);

        // Redis is away: every publish fails, so no probe is recorded.
        _time.Advance(BusHearing.SilenceLimit * 10);

        Assert.False(hearing.TakeSilence());
        Assert.False(hearing.IsListening);
    }

    [Fact]
    public void A_message_heard_before_the_probe_was_sent_does_not_answer_it()
    {
        var hearing = new BusHearing(_time);
        hearing.Heard(isProbe: false);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        hearing.ProbeReachedRedis(_time.GetTimestamp());

        _time.Advance(BusHearing.SilenceLimit);

        Assert.True(hearing.TakeSilence());
    }
}
