using System.Collections.Concurrent;

namespace ProxChat.Proximity;

/// <summary>
/// Who is near whom. Applies the hysteresis rule symmetrically and reports, for every placement
/// or removal, exactly which clients' nearby sets changed and what they are now.
/// </summary>
/// <remarks>
/// Each partition has its own lock and a member's own placements are serialized by its gate, so
/// updates in different partitions run in parallel and no lock is ever held across I/O: callers
/// deliver the returned changes after the locks are released. Lock order: member gate, then one
/// partition at a time, then the leaf lock of <see cref="RecentUnlinks"/>.
/// </remarks>
public sealed class ProximityWorld
{
    [ThreadStatic]
    private static ChangeCollector? t_collector;

    private readonly ConcurrentDictionary<Partition, PartitionSpace> _spaces = new();
    private readonly TimeProvider _time;
    private readonly long _graceTimestampTicks;
    private int _memberCount;

    public ProximityWorld(ProximityRanges ranges, TimeSpan relayGrace, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(relayGrace, TimeSpan.Zero);
        Ranges = ranges;
        _time = time;
        _graceTimestampTicks = (long)(relayGrace.TotalSeconds * time.TimestampFrequency);
    }

    public ProximityRanges Ranges { get; }

    /// <summary>Members placed and not removed.</summary>
    public int MemberCount => Volatile.Read(ref _memberCount);

    /// <summary>Partitions that hold at least one member; empty ones are dropped.</summary>
    public int PartitionCount => _spaces.Count;

    /// <summary>
    /// Places or moves a member. Returns every client whose nearby set changed, the member itself
    /// included, with its new set. A removed member stays removed and yields no changes.
    /// </summary>
    public IReadOnlyList<PeerChange> Place(ProximityMember member, Location location)
    {
        ArgumentNullException.ThrowIfNull(member);
        var changes = t_collector ??= new ChangeCollector();
        var now = _time.GetTimestamp();
        lock (member.Gate)
        {
            if (member.IsRemoved)
            {
                return [];
            }

            var current = member.Space;
            if (current is not null && current.Partition == location.Partition)
            {
                lock (current.Gate)
                {
                    MoveWithin(current, member, location.X, location.Y, changes, now);
                    changes.Flush(except: null);
                }

                return changes.TakeResult();
            }

            var selfChanged = false;
            if (current is null)
            {
                Interlocked.Increment(ref _memberCount);
            }
            else
            {
                lock (current.Gate)
                {
                    Detach(current, member, changes, now);
                    selfChanged = changes.Flush(except: member);
                }
            }

            Attach(member, location, changes, selfChanged);
            return changes.TakeResult();
        }
    }

    /// <summary>Removes a member for good and returns its former peers' new nearby sets.</summary>
    public IReadOnlyList<PeerChange> Remove(ProximityMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        var changes = t_collector ??= new ChangeCollector();
        lock (member.Gate)
        {
            if (member.IsRemoved)
            {
                return [];
            }

            member.IsRemoved = true;
            var space = member.Space;
            if (space is not null)
            {
                lock (space.Gate)
                {
                    Detach(space, member, changes, _time.GetTimestamp());
                    changes.Flush(except: member);
                }

                Interlocked.Decrement(ref _memberCount);
            }

            member.RecentUnlinks.Clear();
            return changes.TakeResult();
        }
    }

    /// <summary>The member's current nearby set.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "A snapshot belongs to the world's API beside Place and Remove.")]
    public PeerSnapshot Snapshot(ProximityMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        lock (member.Gate)
        {
            var space = member.Space;
            if (space is null)
            {
                return new PeerSnapshot([], member.Version);
            }

            lock (space.Gate)
            {
                return member.TakeSnapshot();
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="from"/> is linked to <paramref name="to"/>, or was until less than the
    /// relay grace period ago. Symmetric, since links and their ends are recorded on both sides.
    /// </summary>
    public bool IsLinkedOrInGrace(ProximityMember from, ProximityMember to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        lock (from.Gate)
        {
            var space = from.Space;
            if (space is not null)
            {
                lock (space.Gate)
                {
                    if (from.Links.Contains(to))
                    {
                        return true;
                    }
                }
            }
        }

        return from.RecentUnlinks.IsInGrace(to, _time.GetTimestamp());
    }

    private void Attach(ProximityMember member, Location location, ChangeCollector changes, bool selfChanged)
    {
        while (true)
        {
            var space = _spaces.GetOrAdd(
                location.Partition,
                static (partition, cellSize) => new PartitionSpace(partition, cellSize),
                Ranges.Disconnection);
            lock (space.Gate)
            {
                if (space.IsRetired)
                {
                    continue;
                }

                member.X = location.X;
                member.Y = location.Y;
                space.Grid.Add(member);
                member.Space = space;
                LinkNewcomers(space, member, changes);
                if (selfChanged)
                {
                    changes.Mark(member);
                }

                changes.Flush(except: null);
                return;
            }
        }
    }

    private void MoveWithin(PartitionSpace space, ProximityMember member, int x, int y, ChangeCollector changes, long now)
    {
        space.Grid.Move(member, x, y);
        if (member.Links.Count > 0)
        {
            var leaving = changes.Scratch;
            foreach (var peer in member.Links)
            {
                if (!ProximityRanges.IsWithin(x, y, peer.X, peer.Y, Ranges.Disconnection))
                {
                    leaving.Add(peer);
                }
            }

            foreach (var peer in leaving)
            {
                Unlink(member, peer, changes, now);
            }

            leaving.Clear();
        }

        LinkNewcomers(space, member, changes);
    }

    private void Detach(PartitionSpace space, ProximityMember member, ChangeCollector changes, long now)
    {
        if (member.Links.Count > 0)
        {
            var leaving = changes.Scratch;
            leaving.AddRange(member.Links);
            foreach (var peer in leaving)
            {
                Unlink(member, peer, changes, now);
            }

            leaving.Clear();
        }

        space.Grid.Remove(member);
        member.Space = null;
        if (space.Grid.Count == 0)
        {
            space.IsRetired = true;
            _spaces.TryRemove(KeyValuePair.Create(space.Partition, space));
        }
    }

    private void LinkNewcomers(PartitionSpace space, ProximityMember member, ChangeCollector changes)
    {
        foreach (var cell in space.Grid.Around(member.X, member.Y))
        {
            foreach (var candidate in cell)
            {
                if (candidate != member
                    && ProximityRanges.IsWithin(member.X, member.Y, candidate.X, candidate.Y, Ranges.Introduction)
                    && member.Links.Add(candidate))
                {
                    candidate.Links.Add(member);
                    member.Version++;
                    candidate.Version++;
                    changes.Mark(member);
                    changes.Mark(candidate);
                }
            }
        }
    }

    private void Unlink(ProximityMember a, ProximityMember b, ChangeCollector changes, long now)
    {
        a.Links.Remove(b);
        b.Links.Remove(a);
        a.Version++;
        b.Version++;
        var graceEndsAt = now + _graceTimestampTicks;
        a.RecentUnlinks.Record(b, graceEndsAt, now);
        b.RecentUnlinks.Record(a, graceEndsAt, now);
        changes.Mark(a);
        changes.Mark(b);
    }

    /// <summary>Per-thread scratch state, so a placement that changes no link allocates nothing.</summary>
    private sealed class ChangeCollector
    {
        private readonly HashSet<ProximityMember> _changed = [];
        private List<PeerChange>? _result;

        public List<ProximityMember> Scratch { get; } = [];

        public void Mark(ProximityMember member) => _changed.Add(member);

        /// <summary>
        /// Snapshots the members marked under the lock being held (all in that partition) and
        /// returns whether <paramref name="except"/>, left out, was among them.
        /// </summary>
        public bool Flush(ProximityMember? except)
        {
            var exceptMarked = false;
            foreach (var member in _changed)
            {
                if (member == except)
                {
                    exceptMarked = true;
                    continue;
                }

                (_result ??= []).Add(new PeerChange(member.Id, member.TakeSnapshot()));
            }

            _changed.Clear();
            return exceptMarked;
        }

        public IReadOnlyList<PeerChange> TakeResult()
        {
            IReadOnlyList<PeerChange> result = _result ?? (IReadOnlyList<PeerChange>)[];
            _result = null;
            return result;
        }
    }
}
