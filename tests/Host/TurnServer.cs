using System.Diagnostics;
using System.Globalization;
using System.Text;
using ProxChat.Host.Tests.Cluster;

namespace ProxChat.Host.Tests;

/// <summary>
/// A private coturn on a free loopback port, checking credentials with a shared secret
/// (<c>use-auth-secret</c>), as an operator runs it beside the nodes; and its test client,
/// <c>turnutils_uclient</c>, to try an allocation.
/// </summary>
internal sealed class TurnServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TurnServer(int port, string secret)
    {
        Port = port;
        _directory = Directory.CreateTempSubdirectory("proxchat-turn-").FullName;
        _process = new Process
        {
            StartInfo = new ProcessStartInfo(Executable("turnserver"),
            [
                "-n", "--listening-ip=127.0.0.1", $"--listening-port={port.ToString(CultureInfo.InvariantCulture)}",
                "--use-auth-secret", $"--static-auth-secret={secret}", "--realm=proxchat",
                "--no-tls", "--no-dtls", "--no-cli", "--allow-loopback-peers",
                "--log-file=stdout", $"--pidfile={Path.Combine(_directory, "turnserver.pid")}", $"--userdb={Path.Combine(_directory, "turndb")}",
            ])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        _process.OutputDataReceived += (_, line) => Record(line.Data);
        _process.ErrorDataReceived += (_, line) => Record(line.Data);
    }

    public int Port { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The path of a coturn program, or a failure that says how to get it.</summary>
    public static string Executable(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"The TURN tests need coturn's {name} on PATH: apt-get install -y coturn (./test.sh unpacks it without starting the service).");

    public static async Task<TurnServer> StartAsync(string secret)
    {
        var server = new TurnServer(RedisServer.FreePort(), secret);
        server._process.Start();
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        try
        {
            await server._ready.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"turnserver did not start within 10 s:\n{server.Log}");
        }

        return server;
    }

    /// <summary>Runs turnutils_uclient: an allocation with these credentials, and a little traffic through it.</summary>
    /// <returns>Its exit code (0 when the allocation worked) and what it printed.</returns>
    public async Task<(int ExitCode, string Output)> TryAllocationAsync(string username, string credential)
    {
        using var client = Process.Start(new ProcessStartInfo(Executable("turnutils_uclient"),
        [
            "-y", "-n", "1", "-m", "1", "-l", "100", "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-u", username, "-w", credential, "127.0.0.1",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var output = client.StandardOutput.ReadToEndAsync();
        var errors = client.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await client.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            client.Kill(entireProcessTree: true);
            throw new TimeoutException($"turnutils_uclient did not finish within 30 s:\n{await output}{await errors}");
        }

        return (client.ExitCode, await output + await errors);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }

        // Logged once its listeners and relay threads are up.
        if (line.Contains("Total General servers", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }
}
