using System.Net;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using ProxChat.Transport.Diagnostics;
using ProxChat.Transport.Signaling;

namespace ProxChat.Host;

/// <summary>
/// Caps the sockets open on the client listeners, upgraded or not, below the process's
/// file-descriptor limit (<c>ProxChat:MaxSockets</c>, automatic by default): past it a new socket
/// is closed as soon as it is accepted. Without the cap a crowd of sockets that never send a
/// request took every descriptor, and the runtime, which needs descriptors of its own, failed the
/// process. The metrics port, when set, is never refused, so probes and scrapes still get in.
/// </summary>
internal sealed partial class SocketBudget
{
    private const int RlimitNofile = 7;

    private readonly int _exemptPort;
    private readonly ProxChatMetrics _metrics;
    private int _open;

    public SocketBudget(IOptions<ProxChatOptions> options, IConfiguration configuration, ProxChatMetrics metrics, ILogger<SocketBudget> logger)
    {
        _metrics = metrics;
        _exemptPort = ProxChatServer.MetricsPort(configuration);
        var (limit, descriptors, inUse) = Automatic();
        Limit = options.Value.MaxSockets > 0 ? options.Value.MaxSockets : limit;
        if (descriptors > 0)
        {
            Log.Budget(logger, Limit, descriptors, inUse);
        }
    }

    /// <summary>The most sockets the client listeners keep open at once.</summary>
    public int Limit { get; }

    public int Open => Volatile.Read(ref _open);

    public void Attach(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        listen.Use(next => async connection =>
        {
            try
            {
                if (Interlocked.Increment(ref _open) > Limit && (connection.LocalEndPoint as IPEndPoint)?.Port != _exemptPort)
                {
                    _metrics.UpgradeRefused("sockets");
                    connection.Abort(new ConnectionAbortedException("The node holds MaxSockets sockets."));
                    return;
                }

                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _open);
            }
        });
    }

    /// <summary>
    /// The descriptor limit less what the process already holds and a reserve (a tenth, at least
    /// 128) for Redis, logs, the runtime's own and the accept that refuses the next socket.
    /// </summary>
    private static (int Limit, long Descriptors, int InUse) Automatic()
    {
        if (!OperatingSystem.IsLinux() || GetRLimit(RlimitNofile, out var limit) != 0 || limit.Current > int.MaxValue)
        {
            return (int.MaxValue, 0, 0);
        }

        var descriptors = (long)limit.Current;
        var inUse = Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd").Length : 0;
        var reserve = Math.Max(128, descriptors / 10);
        return ((int)Math.Max(16, descriptors - inUse - reserve), descriptors, inUse);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    private static partial class Log
    {
        [LoggerMessage(71, LogLevel.Information, "Open sockets capped at {Limit}: the descriptor limit is {Descriptors}, {InUse} in use at start-up.")]
        public static partial void Budget(ILogger logger, int limit, long descriptors, int inUse);
    }
}
