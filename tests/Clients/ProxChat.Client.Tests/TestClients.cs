namespace ProxChat.Client.Tests;

/// <summary>Clients with test-sized timings: reconnects within a fraction of a second instead of the default backoff.</summary>
internal static class TestClients
{
    public static ProxChatClient Create(Uri server, string id, Action<ProxChatClientOptions>? configure = null)
    {
        var options = new ProxChatClientOptions(server, id)
        {
            Reconnect = new ReconnectPolicy { InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(400) },
            CloseTimeout = TimeSpan.FromSeconds(5),
        };
        configure?.Invoke(options);
        return new ProxChatClient(options);
    }

    /// <summary>Creates, records, places at (x, y) on map 1 and connects.</summary>
    public static async Task<(ProxChatClient Client, ClientEvents Events)> JoinAsync(Uri server, string id, int x, int y, Action<ProxChatClientOptions>? configure = null)
    {
        var client = Create(server, id, configure);
        var events = new ClientEvents(client);
        client.UpdatePosition(1, x, y);
        await client.ConnectAsync();
        return (client, events);
    }
}
