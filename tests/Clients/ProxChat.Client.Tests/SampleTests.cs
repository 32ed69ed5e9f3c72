using ProxChat.Client.Sample;

namespace ProxChat.Client.Tests;

/// <summary>The sample console app, run in-process against a real node.</summary>
public class SampleTests
{
    [Fact]
    public async Task The_walker_meets_a_client_standing_in_its_circle_and_leaves_when_stopped()
    {
        await using var node = await ServerNode.StartAsync();
        var (watcher, watcherHears) = await TestClients.JoinAsync(node.WebSocketAddress, "watcher", 0, 0);
        await using var _ = watcher;
        var log = new StringWriter();
        using var stop = new CancellationTokenSource();

        var walker = Walker.RunAsync(["--url", node.WebSocketAddress.ToString(), "--id", "walker", "--radius", "10", "--walk", "circle"], log, stop.Token);
        await watcherHears.WaitForPeersAsync("walker");
        await Eventually.HoldsAsync(() => Logged(log).Contains("nearby: [watcher]", StringComparison.Ordinal), () => Logged(log));
        var mark = watcherHears.Count;
        stop.Cancel();

        Assert.Equal(0, await walker);
        await watcherHears.WaitForAsync<NearbyPeersEventArgs>(e => e.PeerIds.Count == 0, mark);
        Assert.Contains("closed: ClientClosed", Logged(log), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_command_line_prints_the_usage()
    {
        var log = new StringWriter();

        Assert.Equal(2, await Walker.RunAsync(["--walk", "sideways"], log, CancellationToken.None));
        Assert.Contains("usage:", log.ToString(), StringComparison.Ordinal);
    }

    // The walker writes under a lock on the writer.
    private static string Logged(StringWriter log)
    {
        lock (log)
        {
            return log.ToString();
        }
    }
}
