using System.Collections.Concurrent;
using System.Net.WebSockets;
using ProxChat.Transport.Sessions;

namespace ProxChat.Transport.Signaling;

/// <summary>Every open connection on this node, registered or not: for sweeps and shutdown.</summary>
public sealed class ConnectionSet
{
    private readonly ConcurrentDictionary<long, ClientConnection> _connections = new();

    public int Count => _connections.Count;

    public void Add(ClientConnection connection) => _connections[connection.Id] = connection;

    public void Remove(ClientConnection connection) => _connections.TryRemove(connection.Id, out _);

    /// <summary>
    /// Walks the set without locking or copying it (unlike <c>Values</c>); connections added or
    /// removed meanwhile may or may not be seen.
    /// </summary>
    public IEnumerable<ClientConnection> Enumerate()
    {
        foreach (var (_, connection) in _connections)
        {
            yield return connection;
        }
    }

    public void CloseAll(WebSocketCloseStatus status, string reason)
    {
        foreach (var connection in Enumerate())
        {
            connection.Close(status, reason);
        }
    }
}
