namespace ProxChat.Transport.Cluster;

/// <summary>
/// What a node has heard on its own bus channel, and what follows from it: whether it counts as
/// listening, and whether its subscription has fallen silent. <see cref="BusSubscription"/> sends
/// the probes and owns the subscription; this only keeps the times.
/// </summary>
internal sealed class BusHearing(TimeProvider time)
{
    /// <summary>Three probes: one late probe does not make a node unready, and a bus that lags this far behind is overloaded.</summary>
    public static readonly TimeSpan SilenceLimit = TimeSpan.FromSeconds(3);

    private const long Never = -1;

    private long _probeHeardAt = Never;
    private long _messageHeardAt = Never;

    // The check loop's own: when the oldest probe that reached Redis with nothing heard since was sent.
    private long _unansweredSince = Never;

    /// <summary>A probe came back within <see cref="SilenceLimit"/>.</summary>
    public bool IsListening
    {
        get
        {
            var heardAt = Volatile.Read(ref _probeHeardAt);
            return heardAt != Never && time.GetElapsedTime(heardAt) < SilenceLimit;
        }
    }

    /// <summary>A message arrived on the channel; returns when. Any message shows the subscription works, even one the probe is queued behind.</summary>
    public long Heard(bool isProbe)
    {
        var now = time.GetTimestamp();
        Volatile.Write(ref _messageHeardAt, now);
        if (isProbe)
        {
            Volatile.Write(ref _probeHeardAt, now);
        }

        return now;
    }

    /// <summary>A probe sent at <paramref name="sentAt"/> reached Redis. One that never did (Redis is away) proves nothing about the subscription.</summary>
    public void ProbeReachedRedis(long sentAt)
    {
        if (_unansweredSince == Never)
        {
            _unansweredSince = sentAt;
        }
    }

    /// <summary>
    /// Nothing at all has been heard for <see cref="SilenceLimit"/> since a probe reached Redis.
    /// True once: the silence then starts over, from the next probe.
    /// </summary>
    public bool TakeSilence()
    {
        if (_unansweredSince != Never && Volatile.Read(ref _messageHeardAt) >= _unansweredSince)
        {
            _unansweredSince = Never;
        }

        if (_unansweredSince == Never || time.GetElapsedTime(_unansweredSince) < SilenceLimit)
        {
            return false;
        }

        _unansweredSince = Never;
        return true;
    }
}
