using System.Collections.Concurrent;
using System.Diagnostics;

namespace ProxChat.Host.Tests.Cluster;

/// <summary>The server as a child process, so a test can kill it without warning (SIGKILL) or stop it (SIGTERM).</summary>
internal sealed class NodeProcess : IServerNode, IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private NodeProcess(Process process, Uri address)
    {
        _process = process;
        HttpAddress = address;
    }

    public Uri HttpAddress { get; }

    /// <summary>What the node has written to standard output so far, line by line.</summary>
    public IReadOnlyCollection<string> Output => _output;

    public int Id => _process.Id;

    public static Task<NodeProcess> StartAsync(string redis, string keyPrefix, params (string Key, string Value)[] settings) =>
        StartAsync(redis, keyPrefix, new Dictionary<string, string>(), settings);

    /// <summary>A node with these environment variables on top of the test process's (for what the runtime reads from the environment only).</summary>
    public static Task<NodeProcess> StartAsync(string redis, string keyPrefix, IReadOnlyDictionary<string, string> environment, params (string Key, string Value)[] settings) =>
        LaunchAsync(redis, keyPrefix, environment, settings, "/readyz");

    /// <summary>A node that may never become ready (its Redis refuses it); returns once it is alive.</summary>
    public static Task<NodeProcess> StartUnreadyAsync(string redis, string keyPrefix) =>
        LaunchAsync(redis, keyPrefix, new Dictionary<string, string>(), [], "/healthz");

    private static async Task<NodeProcess> LaunchAsync(string redis, string keyPrefix, IReadOnlyDictionary<string, string> environment, (string Key, string Value)[] settings, string upWhenOk)
    {
        var port = RedisServer.FreePort();
        var host = Path.Combine(AppContext.BaseDirectory, "ProxChat.Host.dll");
        var arguments = TestServer.Arguments($"http://127.0.0.1:{port}", [("RedisKeyPrefix", keyPrefix), .. settings]);
        arguments.InsertRange(0, [host, $"--ConnectionStrings:Redis={redis}"]);
        var start = new ProcessStartInfo("dotnet", arguments) { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var node = new NodeProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                node._output.Enqueue(line.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        await node.WaitUntilOkAsync(upWhenOk);
        return node;
    }

    public void Kill() => _process.Kill();

    /// <summary>Stops the node (SIGSTOP), as a paused VM or container would: its sockets stay open and it does nothing until <see cref="ThawAsync"/>.</summary>
    public Task FreezeAsync() => ProcessSignals.SendAsync(_process, "STOP");

    public Task ThawAsync() => ProcessSignals.SendAsync(_process, "CONT");

    /// <summary>SIGTERM, as Kubernetes or docker stop sends it; returns once the process has exited.</summary>
    public async Task TerminateAsync()
    {
        await ProcessSignals.SendAsync(_process, "TERM");
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public int ExitCode => _process.ExitCode;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitUntilOkAsync(string path)
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                if ((await http.GetAsync(new Uri(HttpAddress, path))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Assert.False(_process.HasExited, "the node process exited during start-up");
            Assert.True(DateTime.UtcNow < deadline, $"the node process did not answer {path} within 30 s");
            await Task.Delay(100);
        }
    }
}
