namespace ProxChat.Client;

/// <summary>
/// How the client comes back after losing its connection: exponential backoff from
/// <see cref="InitialDelay"/> up to <see cref="MaxDelay"/>, each delay drawn between half and all of
/// its value so that the clients of a restarted node do not all return at the same instant.
/// </summary>
public sealed class ReconnectPolicy
{
    /// <summary>Whether the client reconnects by itself. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The delay before the first attempt (before jitter). Default 0.5 s.</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest delay between attempts (before jitter). Default 30 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts after one lost connection before the client gives up and closes; 0 (the default) keeps trying.</summary>
    public int MaxAttempts { get; set; }

    /// <param name="attempt">1 for the first attempt after a connection was lost.</param>
    /// <param name="unitRandom">A number in [0, 1) that picks the point between half the delay and all of it.</param>
    internal TimeSpan DelayBefore(int attempt, double unitRandom)
    {
        var doublings = Math.Min(Math.Max(attempt - 1, 0), 30);
        var ticks = Math.Min(InitialDelay.Ticks * Math.Pow(2, doublings), MaxDelay.Ticks);
        return TimeSpan.FromTicks((long)(ticks * (0.5 + (0.5 * unitRandom))));
    }
}
