namespace ProxChat.Transport.Presence;

/// <summary>The shared presence store (Redis) could not be reached; the caller answers with an Error and carries on.</summary>
public sealed class PresenceUnavailableException : Exception
{
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
