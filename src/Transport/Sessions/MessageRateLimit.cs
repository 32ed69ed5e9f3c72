using System.Threading.RateLimiting;

namespace ProxChat.Transport.Sessions;

/// <summary>
/// How fast one connection may have something acted on: a token bucket that holds a burst and
/// refills at a rate a second, counting messages (<c>MessageRateLimit</c>, <c>MessageBurst</c>),
/// relayed bytes (<c>RelayBytesPerSecond</c>) or invalid messages. Past it, what comes is dropped;
/// the client is told once for each run of drops, so a flood is not answered message for message.
/// A run ends only when the client has slowed down enough for the bucket to refill to half:
/// a flood that the refill lets one message through every few milliseconds is still one run.
/// </summary>
/// <remarks>Used by one connection's receive loop (or one hub invocation) at a time.</remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A bucket replenished by hand, with no queue, holds no timer and no waiter: disposing it frees nothing.")]
public sealed class MessageRateLimit
{
    private readonly TokenBucketRateLimiter _bucket;
    private readonly int _halfFull;
    private bool _dropping;

    private MessageRateLimit(int messagesPerSecond, int burst)
    {
        _halfFull = (burst + 1) / 2;
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = messagesPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            AutoReplenishment = false,
            QueueLimit = 0,
        });
    }

    /// <returns>Null when the limit is off (a rate of 0).</returns>
    public static MessageRateLimit? Create(int messagesPerSecond, int burst) =>
        messagesPerSecond > 0 ? new MessageRateLimit(messagesPerSecond, burst) : null;

    /// <summary>Takes one message's token, if there is one.</summary>
    public MessageAdmission Admit() => Admit(1);

    /// <summary>Takes <paramref name="tokens"/> tokens (at most the burst), if there are that many.</summary>
    public MessageAdmission Admit(int tokens)
    {
        // Replenished here, by the time since the last message, rather than by a timer per connection.
        _bucket.TryReplenish();
        // Statistics are read (and allocated) only during a run of drops.
        var slowedDown = _dropping && _bucket.GetStatistics()?.CurrentAvailablePermits >= _halfFull;
        using var lease = _bucket.AttemptAcquire(tokens);
        if (lease.IsAcquired)
        {
            if (slowedDown)
            {
                _dropping = false;
            }

            return MessageAdmission.Admitted;
        }

        if (_dropping)
        {
            return MessageAdmission.DroppedAgain;
        }

        _dropping = true;
        return MessageAdmission.Dropped;
    }
}

public enum MessageAdmission
{
    Admitted,

    /// <summary>The first message dropped since the last admitted one: the client is told.</summary>
    Dropped,

    /// <summary>Dropped in the same run: dropped silently.</summary>
    DroppedAgain,
}
