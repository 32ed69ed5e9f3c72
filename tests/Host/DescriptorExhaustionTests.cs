using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ProxChat.Host.Tests.Cluster;

namespace ProxChat.Host.Tests;

/// <summary>
/// A node under more sockets than its file-descriptor limit allows: without a cap the runtime ran
/// out of descriptors for its own threads (each new thread-pool thread takes a pipe) and failed
/// the process with "Out of memory." (exit 134). With the automatic socket budget it refuses the
/// extra sockets, serves the clients it has, answers its probes on the metrics port, and takes
/// clients again once the sockets close.
/// </summary>
public sealed class DescriptorExhaustionTests
{
    private const int DescriptorLimit = 512;

    [Fact]
    public async Task A_node_flooded_past_its_descriptor_limit_survives_and_serves_again_afterwards()
    {
        var port = RedisServer.FreePort();
        var metricsPort = RedisServer.FreePort();
        await using var node = await LimitedNode.StartAsync(port, metricsPort);
        await using var a = await TestClient.JoinAsync(node, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(node, "b", 1, 1);
        await a.ExpectPeersAsync("b");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        var flood = new List<TcpClient>();
        try
        {
            for (var i = 0; i < DescriptorLimit + 200; i++)
            {
                var socket = new TcpClient();
                flood.Add(socket);
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, port);
                }
                catch (SocketException)
                {
                    // Past the budget the node closes a socket as soon as it accepts it, sometimes
                    // before the client has seen the handshake complete.
                }
            }

            // Whatever the flood holds, the node is alive, relays between its clients, and answers its probes.
            for (var i = 0; i < 20; i++)
            {
                await a.SendRelayAsync("SendIceCandidate", "b", "candidate", $"c{i}");
                Assert.Equal($"c{i}", (await b.ExpectAsync("ReceiveIceCandidate")).Data!["candidate"]!.GetValue<string>());
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri($"http://127.0.0.1:{metricsPort}/healthz"))).StatusCode);
            }

            Assert.False(node.HasExited, node.Describe());
        }
        finally
        {
            flood.ForEach(socket => socket.Dispose());
        }

        await Eventually.HoldsAsync(
            async () => await UpgradeStatus.OfAsync(node) == HttpStatusCode.SwitchingProtocols,
            TimeSpan.FromSeconds(20),
            node.Describe);
        await using var c = await TestClient.JoinAsync(node, "c", 2, 2);
        Assert.Equal(["a", "b"], await c.RefreshAsync());
        Assert.False(node.HasExited, node.Describe());
    }

    /// <summary>The built server in a shell whose descriptor limit is <see cref="DescriptorLimit"/>.</summary>
    private sealed class LimitedNode : IServerNode, IAsyncDisposable
    {
        private readonly Process _process;
        private readonly List<string> _output = [];

        private LimitedNode(Process process, Uri address)
        {
            _process = process;
            HttpAddress = address;
        }

        public Uri HttpAddress { get; }

        public bool HasExited => _process.HasExited;

        public static async Task<LimitedNode> StartAsync(int port, int metricsPort)
        {
            var host = Path.Combine(AppContext.BaseDirectory, "ProxChat.Host.dll");
            var arguments = TestServer.Arguments($"http://127.0.0.1:{port};http://127.0.0.1:{metricsPort}", [("Metrics:Port", metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
            var command = $"ulimit -n {DescriptorLimit} && exec dotnet '{host}' {string.Join(' ', arguments.Select(argument => $"'{argument}'"))}";
            var process = new Process
            {
                StartInfo = new ProcessStartInfo("bash", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true },
            };
            var node = new LimitedNode(process, new Uri($"http://127.0.0.1:{port}"));
            process.OutputDataReceived += (_, line) => node.Record(line.Data);
            process.ErrorDataReceived += (_, line) => node.Record(line.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            await Eventually.HoldsAsync(
                async () =>
                {
                    try
                    {
                        return (await http.GetAsync(new Uri(node.HttpAddress, "/readyz"))).IsSuccessStatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                },
                TimeSpan.FromSeconds(30),
                node.Describe);
            return node;
        }

        public string Describe()
        {
            lock (_output)
            {
                return $"node {(HasExited ? $"exited with {_process.ExitCode}" : "running")}:\n{string.Join('\n', _output.TakeLast(40))}";
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        private void Record(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.Add(line);
                }
            }
        }
    }
}
