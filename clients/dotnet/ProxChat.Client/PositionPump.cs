using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Net.WebSockets;
using ProxChat.Client.Protocol;
using ProxChat.Client.Transport;

namespace ProxChat.Client;

/// <summary>
/// Sends the client's position: the newest one, no more often than MinPositionInterval, at once on
/// every new connection (the server needs UpdatePosition first), and again whenever none was sent
/// for KeepAliveInterval. Only UpdatePosition resets the server's ClientTimeout, so the keep-alive
/// must be a position too.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "A SemaphoreSlim whose AvailableWaitHandle is never touched holds nothing to release.")]
internal sealed class PositionPump
{
    private readonly object _gate = new();
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly string _clientId;
    private readonly long _minIntervalTicks;
    private readonly long _keepAliveTicks;
    private PositionUpdate? _latest;
    private bool _pending;
    private long _lastSentAt;
    private int _wakeRequested;

    public PositionPump(string clientId, TimeSpan minInterval, TimeSpan keepAlive)
    {
        _clientId = clientId;
        _minIntervalTicks = ToStopwatchTicks(minInterval);
        _keepAliveTicks = keepAlive == Timeout.InfiniteTimeSpan ? long.MaxValue : ToStopwatchTicks(keepAlive);
    }

    /// <summary>Takes a new position; the pump of the open connection, if any, sends it in its turn.</summary>
    public void Set(PositionUpdate position)
    {
        lock (_gate)
        {
            _latest = position;
            _pending = true;
        }

        if (Interlocked.Exchange(ref _wakeRequested, 1) == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>Registers a new connection: sends the last position, if there is one, before anything else goes out on it.</summary>
    public async Task SendLatestAsync(ServerConnection connection, CancellationToken cancellationToken)
    {
        byte[]? message;
        lock (_gate)
        {
            message = _latest is null ? null : TakeLatest(Stopwatch.GetTimestamp());
        }

        if (message is not null)
        {
            await connection.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends positions on <paramref name="connection"/> until it is cancelled or a send fails (the connection is then gone, and its receive loop says why).</summary>
    public async Task RunAsync(ServerConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                Volatile.Write(ref _wakeRequested, 0);
                var (message, wait) = NextStep();
                if (message is not null)
                {
                    await connection.SendAsync(message, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await _wake.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or InvalidOperationException or ObjectDisposedException or IOException)
        {
            // Stopped with the connection.
        }
    }

    private (byte[]? Message, TimeSpan Wait) NextStep()
    {
        lock (_gate)
        {
            if (_latest is null)
            {
                return (null, Timeout.InfiniteTimeSpan);
            }

            var now = Stopwatch.GetTimestamp();
            var since = now - _lastSentAt;
            var due = _pending ? _minIntervalTicks : _keepAliveTicks;
            if (due == long.MaxValue)
            {
                return (null, Timeout.InfiniteTimeSpan);
            }

            return since >= due ? (TakeLatest(now), TimeSpan.Zero) : (null, FromStopwatchTicks(due - since));
        }
    }

    private byte[] TakeLatest(long now)
    {
        _pending = false;
        _lastSentAt = now;
        return OutgoingMessages.UpdatePosition(_clientId, _latest!);
    }

    private static long ToStopwatchTicks(TimeSpan interval) => (long)(interval.TotalSeconds * Stopwatch.Frequency);

    // Rounded up, so a wait never ends just short of the moment it waits for.
    private static TimeSpan FromStopwatchTicks(long ticks) => TimeSpan.FromMilliseconds(Math.Ceiling(ticks * 1000.0 / Stopwatch.Frequency));
}
