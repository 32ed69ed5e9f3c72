using System.Collections.Concurrent;
using ProxChat.Proximity;
using ProxChat.Transport.Sessions;

namespace ProxChat.Transport.Signaling;

/// <summary>
/// The clients registered on this node: client_id → the connection that currently owns it and the
/// client's place in the world. A newer connection takes a client over; only the owning
/// connection can remove it, so an old socket closing late never removes a live client.
/// </summary>
public sealed class ClientRegistry
{
    private readonly ConcurrentDictionary<string, Entry> _clients = new(StringComparer.Ordinal);

    public int Count => _clients.Count;

    /// <summary>Makes <paramref name="connection"/> the owner of <paramref name="clientId"/>.</summary>
    /// <returns>The client's member, and the connection it was taken from, if any.</returns>
    public (ProximityMember Member, ClientConnection? Replaced) Register(string clientId, ClientConnection connection)
    {
        var spin = default(SpinWait);
        while (true)
        {
            var entry = _clients.GetOrAdd(clientId, static id => new Entry(new ProximityMember(id)));
            lock (entry.Gate)
            {
                if (!entry.IsRemoved)
                {
                    var previous = entry.Connection;
                    entry.Connection = connection;
                    return (entry.Member, previous == connection ? null : previous);
                }
            }

            // A removal is between marking the entry and dropping it from the map.
            spin.SpinOnce();
        }
    }

    /// <summary>
    /// Removes the client if <paramref name="connection"/> still owns it. <paramref name="whileOwned"/>
    /// runs before a newer connection can register the same id, so a store can take the client out
    /// of the world without its peers ever listing it twice.
    /// </summary>
    /// <returns>False when the connection did not own the client.</returns>
    public bool Unregister(string clientId, ClientConnection connection, Action<ProximityMember>? whileOwned = null)
    {
        if (!_clients.TryGetValue(clientId, out var entry))
        {
            return false;
        }

        lock (entry.Gate)
        {
            if (entry.IsRemoved || entry.Connection != connection)
            {
                return false;
            }

            entry.IsRemoved = true;
            whileOwned?.Invoke(entry.Member);
        }

        _clients.TryRemove(KeyValuePair.Create(clientId, entry));
        return true;
    }

    public bool IsOwner(string clientId, ClientConnection connection) =>
        _clients.TryGetValue(clientId, out var entry) && entry.Connection == connection;

    public bool TryGet(string clientId, out ClientConnection connection, out ProximityMember member)
    {
        if (_clients.TryGetValue(clientId, out var entry) && entry.Connection is { } owner)
        {
            connection = owner;
            member = entry.Member;
            return true;
        }

        connection = null!;
        member = null!;
        return false;
    }

    private sealed class Entry(ProximityMember member)
    {
        public Lock Gate { get; } = new();

        public ProximityMember Member { get; } = member;

        public ClientConnection? Connection { get; set; }

        public bool IsRemoved { get; set; }
    }
}
