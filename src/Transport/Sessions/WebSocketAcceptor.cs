using System.Buffers;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProxChat.Transport.Signaling;

namespace ProxChat.Transport.Sessions;

/// <summary>Accepts a WebSocket upgrade and runs the connection until it closes.</summary>
public sealed class WebSocketAcceptor(
    SignalingService signaling,
    ConnectionSet connections,
    IOptions<ProxChatOptions> options,
    TimeProvider time,
    UpgradeGate gate,
    ConnectionsPerAddress addresses,
    ConnectionIdentities identities,
    ILogger<WebSocketConnection> logger)
{
    public async Task AcceptAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await gate.AdmitAsync(context, holdAddress: true).ConfigureAwait(false) is not { } address)
        {
            return;
        }

        try
        {
            await RunAsync(context).ConfigureAwait(false);
        }
        finally
        {
            addresses.Release(address);
        }
    }

    private async Task RunAsync(HttpContext context)
    {
        var settings = options.Value;
        var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = TimeSpan.FromSeconds(settings.KeepAliveIntervalSeconds),
            KeepAliveTimeout = TimeSpan.FromSeconds(settings.KeepAliveTimeoutSeconds),
        }).ConfigureAwait(false);
        using (socket)
        {
            var upgraded = context.Features.Get<UpgradeStreamFeature>()?.Stream;
            var connection = new WebSocketConnection(socket, signaling, connections, settings, time, logger, upgraded, identities.Of(context.User));
            await connection.RunAsync(context.RequestAborted).ConfigureAwait(false);
            if (socket.State == WebSocketState.Aborted && upgraded is { } stream)
            {
                await WaitForHangUpAsync(stream, context.RequestAborted).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Waits, up to the close handshake's timeout, for the client to hang up. A socket that failed
    /// the connection itself (invalid UTF-8, a malformed frame) has sent its close frame and reads
    /// no more; disposing it aborts the connection, and Kestrel's reset then often overtook that
    /// frame.
    /// </summary>
    private static async Task WaitForHangUpAsync(Stream stream, CancellationToken requestAborted)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        timeout.CancelAfter(WebSocketConnection.CloseHandshakeTimeout);
        var sink = ArrayPool<byte>.Shared.Rent(256);
        try
        {
            while (await stream.ReadAsync(sink, timeout.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            // Timed out, or the connection is gone: either way it is over.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sink);
        }
    }
}
