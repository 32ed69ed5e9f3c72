using System.Threading.RateLimiting;

namespace ProxChat.Transport.Sessions;

/// <summary>
/// How fast one connection may have messages acted on: a token bucket that holds
/// <c>MessageBurst</c> messages and refills at <c>MessageRateLimit</c> a second. Past it, messages
/// are dropped; the client is told once for each run of drops, so a flood is not answered message
/// for message.
/// </summary>
/// <remarks>Used by one connection's receive loop (or one hub invocation) at a time.</remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A bucket replenished by hand, with no queue, holds no timer and no waiter: disposing it frees nothing.")]
public sealed class MessageRateLimit
{
    private readonly TokenBucketRateLimiter _bucket;
    private bool _dropping;

    private MessageRateLimit(int messagesPerSecond, int burst)
    {
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
    public MessageAdmission Admit()
    {
        // Replenished here, by the time since the last message, rather than by a timer per connection.
        _bucket.TryReplenish();
        using var lease = _bucket.AttemptAcquire();
        if (lease.IsAcquired)
        {
            _dropping = false;
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
