using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace ProxChat.Host;

/// <summary>
/// Inline socket I/O: a connection's code runs on the socket thread that saw its data, instead of
/// being handed to the thread pool twice (by the runtime's socket engine, then by Kestrel's I/O
/// queue). The runtime reads its half, <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, from
/// the environment only, so the server turns Kestrel's half on from the same variable: measured,
/// Kestrel's half alone saved nothing (README, Configuration). Safe for this server because nothing
/// on a connection's path blocks a thread: Redis round trips and full send queues are awaited.
/// </summary>
internal static partial class InlineSocketIo
{
    public const string EnvironmentVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Follows the runtime's switch with Kestrel's, for the server <paramref name="builder"/> builds.</summary>
    public static void Configure(WebApplicationBuilder builder)
    {
        if (IsEnabled)
        {
            builder.Services.Configure<SocketTransportOptions>(static options => options.UnsafePreferInlineScheduling = true);
        }
    }

    /// <summary>Says at start-up that socket I/O runs inline, for whoever wonders why the thread pool is idle.</summary>
    public static void Report(WebApplication app)
    {
        if (IsEnabled && app.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling)
        {
            Log.Inline(app.Logger, EnvironmentVariable);
        }
    }

    private static bool IsEnabled => Environment.GetEnvironmentVariable(EnvironmentVariable) == "1";

    private static partial class Log
    {
        [LoggerMessage(70, LogLevel.Information, "Socket I/O runs inline on the runtime's socket threads ({Variable}=1).")]
        public static partial void Inline(ILogger logger, string variable);
    }
}
