using System.Diagnostics;
using StackExchange.Redis;

namespace ProxChat.Host.Tests.Cluster;

/// <summary>
/// deploy/local-cluster.sh, the docker-compose topology from processes: Redis, three nodes and
/// nginx. Two clients that the balancer puts on different nodes are introduced and relay.
/// </summary>
public sealed class LocalClusterTests : IAsyncLifetime
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), $"proxchat-cluster-{Guid.NewGuid():N}");
    private readonly int _balancerPort = RedisServer.FreePort();
    private readonly int _redisPort = RedisServer.FreePort();
    private readonly int[] _nodePorts = [RedisServer.FreePort(), RedisServer.FreePort(), RedisServer.FreePort()];

    public Task InitializeAsync() => RunScriptAsync("start");

    public async Task DisposeAsync()
    {
        await RunScriptAsync("stop");
        Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public async Task Two_clients_on_different_nodes_behind_nginx_are_introduced_and_relay()
    {
        var balancer = new ServerAddress(new Uri($"http://127.0.0.1:{_balancerPort}"));
        await using var a = await TestClient.JoinAsync(balancer, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(balancer, "b", 3, 4);

        await a.ExpectPeersAsync("b");
        await a.SendRelayAsync("SendOffer", "b", "offer", "through nginx");
        Assert.Equal("through nginx", (await b.ExpectAsync("ReceiveOffer")).Data!["offer"]!.GetValue<string>());
        await b.SendRelayAsync("SendAnswer", "a", "answer", "and back");
        Assert.Equal("and back", (await a.ExpectAsync("ReceiveAnswer")).Data!["answer"]!.GetValue<string>());

        // The directory says where each client's socket is: two different nodes.
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{_redisPort}");
        var db = redis.GetDatabase();
        string NodeOf(RedisValue token) => ((string)token!).Split('/')[0];
        Assert.NotEqual(NodeOf(await db.StringGetAsync("proxchat:client:a")), NodeOf(await db.StringGetAsync("proxchat:client:b")));
    }

    private async Task RunScriptAsync(string command)
    {
        var script = Path.Combine(RepositoryRoot(), "deploy", "local-cluster.sh");
        var start = new ProcessStartInfo("bash", [script, command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["PROXCHAT_STATE_DIR"] = _state;
        start.Environment["PROXCHAT_LB_PORT"] = _balancerPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PROXCHAT_REDIS_PORT"] = _redisPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PROXCHAT_NODE_PORTS"] = string.Join(' ', _nodePorts);
        start.Environment["PROXCHAT_HOST_DLL"] = Path.Combine(AppContext.BaseDirectory, "ProxChat.Host.dll");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(process.ExitCode == 0, $"local-cluster.sh {command} failed:\n{await output}\n{await errors}");
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ProxChat.Scaled.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The tests run outside the repository.");
    }

    private sealed record ServerAddress(Uri HttpAddress) : IServerNode;
}
