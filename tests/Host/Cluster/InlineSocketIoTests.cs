using System.Globalization;

namespace ProxChat.Host.Tests.Cluster;

/// <summary>
/// Nodes with inline socket I/O, as the container image runs them. Child processes, because the
/// runtime reads its switch from the environment once: the test process's own nodes run without.
/// </summary>
[Collection(RedisTests.Name)]
public sealed class InlineSocketIoTests(RedisFixture redis)
{
    [Fact]
    public async Task Nodes_with_inline_socket_io_introduce_relay_in_order_and_part_clients_across_nodes()
    {
        var prefix = RedisFixture.UniquePrefix();
        var environment = new Dictionary<string, string>
        {
            [InlineSocketIo.EnvironmentVariable] = "1",
            ["Logging__LogLevel__ProxChat.Host"] = "Information",
        };
        await using var node1 = await NodeProcess.StartAsync(redis.ConnectionString, prefix, environment);
        await using var node2 = await NodeProcess.StartAsync(redis.ConnectionString, prefix, environment);
        foreach (var node in new[] { node1, node2 })
        {
            // Written at start-up; the test process reads the node's output in its own time.
            await Eventually.HoldsAsync(
                () => node.Output.Any(line => line.Contains("Socket I/O runs inline", StringComparison.Ordinal)),
                TestClient.Deadline,
                () => $"node {node.Id} said socket I/O runs inline; its output: {string.Join(" | ", node.Output)}");
        }

        await using var a = await TestClient.JoinAsync(node1, "a", 0, 0);
        await using var b = await TestClient.ConnectAsync(node2);
        await b.MoveAsync("b", 1, 1);
        await b.ExpectPeersAsync("a");
        await a.WaitForPeersAsync("b");

        await a.SendRelayAsync("SendOffer", "b", "offer", "o");
        Assert.Equal("a", (await b.ExpectAsync("ReceiveOffer")).SenderId);
        // All in one burst, as many as MessageBurst (200) lets through at once.
        for (var i = 0; i < 150; i++)
        {
            await a.SendRelayAsync("SendIceCandidate", "b", "candidate", i.ToString(CultureInfo.InvariantCulture));
        }

        for (var i = 0; i < 150; i++)
        {
            Assert.Equal(i.ToString(CultureInfo.InvariantCulture), (await b.ExpectAsync("ReceiveIceCandidate")).Data!["candidate"]!.GetValue<string>());
        }

        await b.SendRelayAsync("SendAnswer", "a", "answer", "ok");
        Assert.Equal("ok", (await a.ExpectAsync("ReceiveAnswer")).Data!["answer"]!.GetValue<string>());

        await b.MoveAsync(100, 100);
        await a.ExpectPeersAsync();
        await b.ExpectPeersAsync();
    }
}
