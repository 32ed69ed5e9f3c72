namespace ProxChat.Client.Tests;

/// <summary>Tokens reach the upgrade request where the options put them, fresh on every connection.</summary>
public class AccessTokenTests
{
    [Fact]
    public async Task A_token_goes_in_the_authorization_header_by_default()
    {
        await using var server = await FakeServer.StartAsync((socket, _) => FakeServer.ReadUntilClosedAsync(socket));
        await using var client = TestClients.Create(server.Address, "alice", options => options.AccessToken = "header.token.value");

        await client.ConnectAsync();

        Assert.Equal(("Bearer header.token.value", null), Assert.Single(server.Upgrades));
    }

    [Fact]
    public async Task A_token_can_go_in_the_access_token_query_parameter_beside_others()
    {
        await using var server = await FakeServer.StartAsync((socket, _) => FakeServer.ReadUntilClosedAsync(socket));
        var address = new Uri(server.Address, "/ws?region=eu");
        await using var client = TestClients.Create(address, "alice", options =>
        {
            options.AccessToken = "a+b/c=";
            options.AccessTokenPlacement = AccessTokenPlacement.Query;
        });

        await client.ConnectAsync();

        Assert.Equal((null, "a+b/c="), Assert.Single(server.Upgrades));
    }

    [Fact]
    public async Task The_token_provider_is_asked_again_for_each_reconnect()
    {
        await using var server = await FakeServer.StartAsync(async (socket, session) =>
        {
            await FakeServer.ReceiveTextAsync(socket);
            if (session == 1)
            {
                await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.EndpointUnavailable, null, CancellationToken.None);
                return;
            }

            await FakeServer.ReadUntilClosedAsync(socket);
        });
        var issued = 0;
        var client = TestClients.Create(server.Address, "alice", options =>
            options.AccessTokenProvider = _ => Task.FromResult<string?>($"token-{Interlocked.Increment(ref issued)}"));
        var events = new ClientEvents(client);
        await using var _ = client;
        client.UpdatePosition(1, 0, 0);
        await client.ConnectAsync();

        await events.WaitForAsync<ConnectedEventArgs>(c => c.IsReconnect);

        Assert.Equal(["Bearer token-1", "Bearer token-2"], server.Upgrades.Select(u => u.Authorization));
    }

    [Fact]
    public async Task An_upgrade_refused_with_401_fails_the_connect_as_unauthorized()
    {
        await using var server = await FakeServer.StartAsync((_, _) => Task.CompletedTask, refuseWith: 401);
        await using var client = TestClients.Create(server.Address, "alice", options => options.AccessToken = "expired");

        var failure = await Assert.ThrowsAsync<ProxChatConnectException>(() => client.ConnectAsync());

#if CLIENT_NETSTANDARD
        // netstandard2.1 has no API that tells the upgrade's HTTP status.
        Assert.Equal((CloseReason.ConnectFailed, null), (failure.Reason, failure.HttpStatusCode));
#else
        Assert.Equal((CloseReason.Unauthorized, 401), (failure.Reason, failure.HttpStatusCode));
#endif
        Assert.Equal(ProxChatConnectionState.Disconnected, client.State);
    }
}
