using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ProxChat.Host.Tests.Cluster;

/// <summary>A private redis-server process on a free loopback port, with no persistence; restartable on the same port.</summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly string[] _extraArguments;
    private Process? _process;
    private string? _ownedFile;
    private string? _configFile;

    private RedisServer(int port, string[] extraArguments)
    {
        Port = port;
        _extraArguments = extraArguments;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static string? FindExecutable() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "redis-server"))
            .FirstOrDefault(File.Exists);

    public static async Task<RedisServer> StartAsync(params string[] extraArguments)
    {
        var server = new RedisServer(FreePort(), extraArguments);
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>
    /// A Redis Cluster of three masters, each a private redis-server, with its slots assigned, and
    /// <paramref name="replicasPerMaster"/> replicas of each, in sync when this returns.
    /// </summary>
    public static async Task<RedisServer[]> StartClusterAsync(int replicasPerMaster = 0, params string[] extraArguments)
    {
        var servers = new RedisServer[3 * (1 + replicasPerMaster)];
        for (var i = 0; i < servers.Length; i++)
        {
            // A file of its own: a port is reused across runs, and a node that finds an old run's
            // file already knows other nodes, so the cluster cannot be created. A bus port of its
            // own too: by default it is the port plus 10,000, which another process may hold, and
            // which does not exist for a port over 55535 (Redis then refuses to start).
            var configFile = Path.Combine(Path.GetTempPath(), $"proxchat-test-cluster-{Guid.NewGuid():N}.conf");
            var busPort = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
            servers[i] = new RedisServer(FreePort(), ["--cluster-enabled", "yes", "--cluster-port", busPort, "--cluster-config-file", configFile, .. extraArguments]) { _ownedFile = configFile };
            await servers[i].StartProcessAsync();
        }

        var replicas = replicasPerMaster.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var create = Process.Start(new ProcessStartInfo("redis-cli", ["--cluster", "create", .. servers.Select(s => s.ConnectionString), "--cluster-replicas", replicas, "--cluster-yes"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        var output = await create.StandardOutput.ReadToEndAsync();
        await create.WaitForExitAsync();
        if (create.ExitCode != 0 || !output.Contains("All 16384 slots covered", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"redis-cli --cluster create failed: {output}");
        }

        // Slots are assigned at once, but each master learns the others over the cluster bus:
        // until every one says the cluster is ok, commands can bounce with CLUSTERDOWN. A replica
        // that has not yet synced could not take over.
        foreach (var server in servers)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (!(await RedisCliAsync(server.Port, "cluster", "info")).Contains("cluster_state:ok", StringComparison.Ordinal)
                || (await RedisCliAsync(server.Port, "cluster", "nodes")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length < servers.Length
                || await RedisCliAsync(server.Port, "info", "replication") is var replication
                    && replication.Contains("role:slave", StringComparison.Ordinal)
                    && !replication.Contains("master_link_status:up", StringComparison.Ordinal))
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"The Redis Cluster on port {server.Port} did not become ok.");
                }

                await Task.Delay(100);
            }
        }

        return servers;
    }

    /// <summary>
    /// The server among <paramref name="servers"/> that is, by the first running one's account, the
    /// master of the slot of <paramref name="key"/>; null while none is (a failover in progress).
    /// </summary>
    public static async Task<RedisServer?> MasterOfAsync(RedisServer[] servers, string key)
    {
        var witness = servers.First(server => server._process is { HasExited: false });
        var slot = int.Parse((await witness.CommandAsync("cluster", "keyslot", key)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        foreach (var line in (await witness.CommandAsync("cluster", "nodes")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // <id> <ip:port@bus> <flags> <master> <ping> <pong> <epoch> <link> <slot ranges…>
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (!fields[2].Contains("master", StringComparison.Ordinal) || fields[2].Contains("fail", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var range in fields.Skip(8).Where(static range => !range.StartsWith('[')))
            {
                var bounds = range.Split('-');
                var first = int.Parse(bounds[0], System.Globalization.CultureInfo.InvariantCulture);
                var last = int.Parse(bounds[^1], System.Globalization.CultureInfo.InvariantCulture);
                if (slot >= first && slot <= last)
                {
                    var port = int.Parse(fields[1][(fields[1].IndexOf(':', StringComparison.Ordinal) + 1)..fields[1].IndexOf('@', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
                    return servers.Single(server => server.Port == port);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// A Sentinel watching <paramref name="master"/> under <paramref name="masterName"/>, quick to
    /// act: it alone decides (quorum 1) that the master is down after 1 s of silence. With a
    /// <paramref name="password"/>, the sentinel requires it and gives it to the master, as
    /// charts that share one password between Redis and its sentinels set them up.
    /// </summary>
    public static async Task<RedisServer> StartSentinelAsync(string masterName, RedisServer master, string? password = null)
    {
        // Sentinel rewrites its configuration file as it learns, so each gets one of its own.
        var configFile = Path.Combine(Path.GetTempPath(), $"proxchat-test-sentinel-{Guid.NewGuid():N}.conf");
        var authentication = password is null ? string.Empty : $"""
            sentinel auth-pass {masterName} {password}
            requirepass {password}

            """;
        await File.WriteAllTextAsync(configFile, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"""
            sentinel monitor {masterName} 127.0.0.1 {master.Port} 1
            sentinel down-after-milliseconds {masterName} 1000
            sentinel failover-timeout {masterName} 5000
            {authentication}
            """));
        var sentinel = new RedisServer(FreePort(), ["--sentinel"]) { _ownedFile = configFile, _configFile = configFile };
        await sentinel.StartProcessAsync();
        return sentinel;
    }

    /// <summary>The password of the user <see cref="AddLeastPrivilegedUserAsync"/> creates.</summary>
    public const string LeastPrivilegedPassword = "s3cret";

    /// <summary>
    /// Creates the user <c>proxchat</c> with no more rights than README, Scaling, "What Redis it
    /// needs" gives it, for the key prefix <paramref name="prefix"/>. ACL users are not
    /// replicated: each master and replica needs its own.
    /// </summary>
    public Task AddLeastPrivilegedUserAsync(string prefix) => CommandAsync(
        "acl", "setuser", "proxchat", "on", ">" + LeastPrivilegedPassword, $"~{prefix}:*", "%R~__Booksleeve_TieBreak",
        $"&{prefix}:*", "&ProxChat.Transport.Hubs.ProxChatHub:*", "&__Booksleeve_MasterChanged",
        "+@all", "-@dangerous", "+info", "+config|get", "+role");

    /// <summary>What <c>ACL LOG</c> holds: empty when no command, key or channel was refused to any user.</summary>
    public async Task<string> AclRefusalsAsync() => (await CommandAsync("acl", "log")).Trim();

    /// <summary>What <c>redis-cli</c> prints for a command to this server.</summary>
    public Task<string> CommandAsync(params string[] arguments) => RedisCliAsync(Port, arguments);

    /// <summary>Kills the server (losing everything in it, as a crash would) and starts an empty one on the same port.</summary>
    public async Task RestartAsync(TimeSpan downtime)
    {
        Kill();
        await Task.Delay(downtime);
        await StartProcessAsync();
    }

    /// <summary>
    /// Stops the server's process (SIGSTOP), as a stalled fork, a swapped-out page or a paused VM
    /// would: its connections stay open and nothing is answered until <see cref="ThawAsync"/>.
    /// </summary>
    public Task FreezeAsync() => ProcessSignals.SendAsync(_process!, "STOP");

    public Task ThawAsync() => ProcessSignals.SendAsync(_process!, "CONT");

    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        if (_ownedFile is not null)
        {
            File.Delete(_ownedFile);
        }

        return ValueTask.CompletedTask;
    }

    private static async Task<string> RedisCliAsync(int port, params string[] arguments)
    {
        using var cli = Process.Start(new ProcessStartInfo("redis-cli", ["-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. arguments])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        var output = await cli.StandardOutput.ReadToEndAsync();
        await cli.WaitForExitAsync();
        return output;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task StartProcessAsync()
    {
        var executable = FindExecutable() ?? throw new InvalidOperationException("redis-server is not on PATH.");
        _process = Process.Start(new ProcessStartInfo(executable, [.. _configFile is null ? [] : new[] { _configFile }, "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", .. _extraArguments])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        _process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                await client.GetStream().WriteAsync("PING\r\n"u8.ToArray());
                var buffer = new byte[16];
                // PONG, or NOAUTH from a server started with --requirepass: either way it is serving.
                var read = await client.GetStream().ReadAsync(buffer);
                if (read > 0 && (buffer[0] == (byte)'+' || buffer.AsSpan(0, read).StartsWith("-NOAUTH"u8)))
                {
                    return;
                }
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
            }

            if (DateTime.UtcNow >= deadline || _process.HasExited)
            {
                throw new InvalidOperationException($"redis-server did not start on port {Port}.");
            }

            await Task.Delay(50);
        }
    }
}
