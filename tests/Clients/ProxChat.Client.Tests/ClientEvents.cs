using System.Collections.Concurrent;

namespace ProxChat.Client.Tests;

/// <summary>Everything a client raised, in order, for tests to wait on and inspect.</summary>
internal sealed class ClientEvents
{
    private readonly ConcurrentQueue<EventArgs> _events = new();

    public ClientEvents(ProxChatClient client)
    {
        client.Connected += (_, e) => _events.Enqueue(e);
        client.Disconnected += (_, e) => _events.Enqueue(e);
        client.Closed += (_, e) => _events.Enqueue(e);
        client.NearbyPeersReceived += (_, e) => _events.Enqueue(e);
        client.OfferReceived += (_, e) => _events.Enqueue(e);
        client.AnswerReceived += (_, e) => _events.Enqueue(e);
        client.IceCandidateReceived += (_, e) => _events.Enqueue(e);
        client.IceServersReceived += (_, e) => _events.Enqueue(e);
        client.Error += (_, e) => _events.Enqueue(e);
    }

    public int Count => _events.Count;

    public List<T> Of<T>(int from = 0) => _events.Skip(from).OfType<T>().ToList();

    /// <summary>The first event of type <typeparamref name="T"/> at position <paramref name="from"/> or later that matches.</summary>
    public async Task<T> WaitForAsync<T>(Func<T, bool>? match = null, int from = 0)
    {
        T? found = default;
        await Eventually.HoldsAsync(
            () => (found = Of<T>(from).FirstOrDefault(e => match?.Invoke(e) ?? true)) is not null,
            () => $"no matching {typeof(T).Name}; events so far: {Describe()}");
        return found!;
    }

    public Task<NearbyPeersEventArgs> WaitForPeersAsync(params string[] peers) =>
        WaitForAsync<NearbyPeersEventArgs>(e => e.PeerIds.Order().SequenceEqual(peers.Order()));

    public string Describe() => string.Join(", ", _events.Select(Describe));

    private static string Describe(EventArgs e) => e switch
    {
        ConnectedEventArgs c => $"Connected(reconnect={c.IsReconnect})",
        DisconnectedEventArgs d => $"Disconnected({d.Reason}, {d.CloseCode}, reconnect={d.WillReconnect})",
        ClosedEventArgs c => $"Closed({c.Reason}, {c.CloseCode})",
        NearbyPeersEventArgs p => $"NearbyPeers[{string.Join(",", p.PeerIds)}]",
        OfferReceivedEventArgs o => $"Offer({o.SenderId})",
        AnswerReceivedEventArgs a => $"Answer({a.SenderId})",
        IceCandidateReceivedEventArgs c => $"Candidate({c.SenderId})",
        IceServersEventArgs i => $"IceServers({i.IceServers.Count})",
        ProxChatErrorEventArgs r => $"Error({r.Kind}: {r.Message})",
        _ => e.GetType().Name,
    };
}
