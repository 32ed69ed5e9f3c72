namespace ProxChat.Proximity;

/// <summary>
/// Peers a member was linked to until recently, each with the time its grace period ends. A leaf
/// lock of its own: it is written under partition locks and read by relays from any thread.
/// </summary>
internal sealed class RecentUnlinks
{
    // Pruning on every write keeps the map at the peers unlinked within one grace period.
    private const int PruneThreshold = 8;

    private readonly Lock _gate = new();
    private Dictionary<ProximityMember, long>? _graceEnds;

    public void Record(ProximityMember peer, long graceEndsAt, long now)
    {
        lock (_gate)
        {
            _graceEnds ??= [];
            if (_graceEnds.Count >= PruneThreshold)
            {
                foreach (var (member, endsAt) in _graceEnds)
                {
                    if (endsAt <= now)
                    {
                        _graceEnds.Remove(member);
                    }
                }
            }

            _graceEnds[peer] = graceEndsAt;
        }
    }

    public bool IsInGrace(ProximityMember peer, long now)
    {
        lock (_gate)
        {
            return _graceEnds is not null && _graceEnds.TryGetValue(peer, out var endsAt) && endsAt > now;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _graceEnds = null;
        }
    }
}
