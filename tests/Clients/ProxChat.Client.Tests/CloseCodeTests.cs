using System.Net.WebSockets;

namespace ProxChat.Client.Tests;

/// <summary>Each close code the server may send, mapped to its reason, and whether the client comes back by itself.</summary>
public class CloseCodeTests
{
    [Theory]
    [InlineData(4000, CloseReason.Replaced, false)]
    [InlineData(4003, CloseReason.Kicked, false)]
    [InlineData(4004, CloseReason.Banned, false)]
    [InlineData(1008, CloseReason.PolicyViolation, false)]
    [InlineData(1001, CloseReason.GoingAway, true)]
    [InlineData(1009, CloseReason.MessageTooBig, true)]
    [InlineData(1011, CloseReason.InternalError, true)]
    [InlineData(4001, CloseReason.Timeout, true)]
    [InlineData(4002, CloseReason.SendQueueFull, true)]
    [InlineData(4999, CloseReason.Unknown, true)]
    public async Task A_close_code_is_reported_as_its_reason_and_reconnects_only_where_that_can_help(int code, CloseReason reason, bool reconnects)
    {
        await using var server = await FakeServer.StartAsync(async (socket, session) =>
        {
            await FakeServer.ReceiveTextAsync(socket);
            if (session == 1)
            {
                await socket.CloseAsync((WebSocketCloseStatus)code, "scripted", CancellationToken.None);
            }
            else
            {
                await FakeServer.ReadUntilClosedAsync(socket);
            }
        });
        var client = TestClients.Create(server.Address, "alice");
        var events = new ClientEvents(client);
        await using var _ = client;
        client.UpdatePosition(1, 0, 0);
        await client.ConnectAsync();

        var lost = await events.WaitForAsync<DisconnectedEventArgs>();

        Assert.Equal((reason, code, "scripted", reconnects), (lost.Reason, lost.CloseCode, lost.CloseDescription, lost.WillReconnect));
        if (reconnects)
        {
            await events.WaitForAsync<ConnectedEventArgs>(c => c.IsReconnect);
            Assert.Equal(2, server.Upgrades.Count);
            Assert.Empty(events.Of<ClosedEventArgs>());
        }
        else
        {
            var closed = await events.WaitForAsync<ClosedEventArgs>();
            Assert.Equal((reason, code), (closed.Reason, closed.CloseCode));
            Assert.Equal(ProxChatConnectionState.Closed, client.State);
            Assert.Single(server.Upgrades);
        }
    }

    [Fact]
    public async Task When_the_reconnect_attempts_run_out_the_client_closes_with_the_last_failure()
    {
        var node = await ServerNode.StartAsync();
        var client = TestClients.Create(node.WebSocketAddress, "alice", options => options.Reconnect.MaxAttempts = 3);
        var events = new ClientEvents(client);
        await using var _ = client;
        client.UpdatePosition(1, 0, 0);
        await client.ConnectAsync();

        await node.StopAsync();

        var closed = await events.WaitForAsync<ClosedEventArgs>();
        Assert.Equal(CloseReason.ConnectFailed, closed.Reason);
        Assert.IsType<ProxChatConnectException>(closed.Exception);
        Assert.Equal(3, events.Of<ProxChatErrorEventArgs>().Count(e => e.Kind == ProxChatErrorKind.ConnectFailed));
        Assert.Equal(ProxChatConnectionState.Closed, client.State);
    }
}
