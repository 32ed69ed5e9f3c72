namespace ProxChat.Transport.Signaling;

/// <summary>Connections that own clients on other nodes, as far as takeover needs to know them.</summary>
public interface IRemoteOwners
{
    /// <summary>Probes the connection that owns <paramref name="clientId"/> on another node, where that connection lives.</summary>
    /// <returns>Null when no other node owns the client; otherwise whether its connection answered within <paramref name="timeout"/>.</returns>
    ValueTask<bool?> ProbeAsync(string clientId, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>A single node: there are no other nodes.</summary>
public sealed class NoRemoteOwners : IRemoteOwners
{
    public ValueTask<bool?> ProbeAsync(string clientId, TimeSpan timeout, CancellationToken cancellationToken) => ValueTask.FromResult<bool?>(null);
}
