namespace ProxChat.Transport.Presence;

/// <summary>The shared presence store (Redis) could not be reached or did not answer in time; the caller answers with an Error and carries on.</summary>
public sealed class PresenceUnavailableException : Exception
{
    /// <summary>
    /// The change was sent and its answer did not come in time: Redis may yet have applied it (a
    /// move placed, a relay published), so the client must not be told it was not.
    /// </summary>
    public bool MayHaveBeenApplied { get; init; }

    public PresenceUnavailableException()
    {
    }

    public PresenceUnavailableException(string message)
        : base(message)
    {
    }

    public PresenceUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
