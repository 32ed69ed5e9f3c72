using ProxChat.Proximity;

namespace ProxChat.Transport.Signaling;

/// <summary>
/// One connection's moves, applied in order and one at a time; while one is being placed only the
/// newest of those that arrive meanwhile is kept. So a client's relays never queue behind a
/// placement's round trip to a shared store, and a burst of moves costs one placement for the
/// last. Placements are also paced (<see cref="ProxChatOptions.PositionRateLimit"/>): a move that
/// comes too soon after the last placement waits, and is replaced by any newer one meanwhile.
/// </summary>
public sealed class PositionPump
{
    private readonly Lock _gate = new();
    private Location _pending;
    private bool _hasPending;
    private bool _draining;
    private TaskCompletionSource? _settled;

    /// <summary>
    /// When this client's last placement began (<see cref="TimeProvider.GetTimestamp"/>); 0 before
    /// the first. Only whoever places uses it: registration, then one drain at a time.
    /// </summary>
    public long LastPlacedAt { get; set; }

    /// <summary>Whether a move waits to be placed.</summary>
    public bool HasPending
    {
        get
        {
            lock (_gate)
            {
                return _hasPending;
            }
        }
    }

    /// <summary>Queues <paramref name="location"/>, replacing one not yet placed.</summary>
    /// <returns>True when the caller must drain the pump; false when a drain is already running.</returns>
    public bool Offer(Location location)
    {
        lock (_gate)
        {
            _pending = location;
            _hasPending = true;
            if (_draining)
            {
                return false;
            }

            _draining = true;
            return true;
        }
    }

    /// <summary>The next location to place; false (and the drain ends) when none is left.</summary>
    public bool TryTake(out Location location)
    {
        TaskCompletionSource? settled;
        lock (_gate)
        {
            location = _pending;
            if (_hasPending)
            {
                _hasPending = false;
                return true;
            }

            _draining = false;
            settled = _settled;
            _settled = null;
        }

        settled?.TrySetResult();
        return false;
    }

    /// <summary>Completes when every location offered so far has been placed.</summary>
    public Task SettledAsync()
    {
        lock (_gate)
        {
            return _draining
                ? (_settled ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task
                : Task.CompletedTask;
        }
    }
}
