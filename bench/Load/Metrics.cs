using System.Diagnostics;

namespace ProxChat.Load;

/// <summary>Counters shared by all clients; round trips are recorded only once measuring starts.</summary>
internal sealed class Metrics
{
    private readonly Lock _gate = new();
    private readonly List<double> _sameNodeMs = [];
    private readonly List<double> _acrossNodesMs = [];
    private readonly HashSet<string> _errorTexts = new(StringComparer.Ordinal);
    private long _updates;
    private long _relaysDelivered;
    private long _errors;
    private long _peerLists;

    public volatile bool Measuring;

    public long Updates => Interlocked.Read(ref _updates);

    public long RelaysDelivered => Interlocked.Read(ref _relaysDelivered);

    public long Errors => Interlocked.Read(ref _errors);

    public long PeerLists => Interlocked.Read(ref _peerLists);

    public void Update() => Interlocked.Increment(ref _updates);

    public void RelayDelivered() => Interlocked.Increment(ref _relaysDelivered);

    public void Error() => Interlocked.Increment(ref _errors);

    /// <summary>Counts an Error message and keeps the first few distinct texts for the report.</summary>
    public void Error(string text)
    {
        Error();
        lock (_gate)
        {
            if (_errorTexts.Count < 5)
            {
                _errorTexts.Add(text);
            }
        }
    }

    public IReadOnlyCollection<string> ErrorTexts
    {
        get
        {
            lock (_gate)
            {
                return [.. _errorTexts];
            }
        }
    }

    public void PeerList() => Interlocked.Increment(ref _peerLists);

    /// <param name="acrossNodes">Whether the peer is connected to another node than the offerer.</param>
    public void RoundTrip(long sentTimestamp, bool acrossNodes)
    {
        if (!Measuring)
        {
            return;
        }

        var ms = Stopwatch.GetElapsedTime(sentTimestamp).TotalMilliseconds;
        lock (_gate)
        {
            (acrossNodes ? _acrossNodesMs : _sameNodeMs).Add(ms);
        }
    }

    public (int Count, double P50, double P99, double Max) RoundTrips()
    {
        lock (_gate)
        {
            return Summarize([.. _sameNodeMs, .. _acrossNodesMs]);
        }
    }

    /// <summary>The round trips between clients on one node, or on two.</summary>
    public (int Count, double P50, double P99, double Max) RoundTrips(bool acrossNodes)
    {
        lock (_gate)
        {
            return Summarize(acrossNodes ? _acrossNodesMs : _sameNodeMs);
        }
    }

    private static (int Count, double P50, double P99, double Max) Summarize(List<double> roundTripsMs)
    {
        if (roundTripsMs.Count == 0)
        {
            return (0, 0, 0, 0);
        }

        var sorted = roundTripsMs.Order().ToArray();
        return (sorted.Length, sorted[sorted.Length / 2], sorted[(int)(sorted.Length * 0.99)], sorted[^1]);
    }
}
