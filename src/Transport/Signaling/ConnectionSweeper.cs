using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProxChat.Transport.Sessions;

namespace ProxChat.Transport.Signaling;

/// <summary>
/// Twice a second: closes connections that sent no UpdatePosition within ClientTimeout, and
/// re-sends each client its nearby set when its reintroduction is due, and fresh ICE servers when
/// the TURN credentials it was sent are three quarters through their lifetime. Each client's
/// schedule starts at its registration (or request), so these spread out instead of bursting.
/// </summary>
public sealed partial class ConnectionSweeper(
    ConnectionSet connections,
    SignalingService signaling,
    IOptions<ProxChatOptions> options,
    TimeProvider time,
    ILogger<ConnectionSweeper> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var clientTimeout = options.Value.ClientTimeoutSeconds * time.TimestampFrequency;
        var reintroduce = options.Value.ReintroductionIntervalSeconds > 0;
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await SweepAsync(clientTimeout, reintroduce, options.Value.ClientTimeoutSeconds, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task SweepAsync(long clientTimeout, bool reintroduce, int timeoutSeconds, CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();

        // Reintroductions that wait on the presence store run side by side: with Redis, a sweep's
        // snapshots then go out as one pipeline instead of one round trip after another.
        List<Task>? pending = null;
        foreach (var connection in connections.Enumerate())
        {
            if (clientTimeout > 0 && now - connection.LastPositionAt > clientTimeout)
            {
                Log.TimedOut(logger, connection.Id, connection.ClientId, timeoutSeconds);

                // Remove first, so peers hear of it even if the socket is too stuck to close.
                await signaling.ConnectionClosedAsync(connection, cancellationToken).ConfigureAwait(false);
                connection.Close(CloseCodes.Timeout, $"No UpdatePosition for {timeoutSeconds} seconds.");
                continue;
            }

            if (connection.IsRegistered && now >= connection.NextIceRefreshAt)
            {
                signaling.SendIceServers(connection, now);
            }

            if (reintroduce && connection.IsRegistered && now >= connection.NextReintroductionAt)
            {
                var reintroduction = signaling.ReintroduceAsync(connection, now, cancellationToken);
                if (!reintroduction.IsCompletedSuccessfully)
                {
                    (pending ??= []).Add(reintroduction.AsTask());
                }
            }
        }

        if (pending is not null)
        {
            await Task.WhenAll(pending).ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Debug, "Connection {ConnectionId} ({ClientId}) sent no UpdatePosition for {TimeoutSeconds} s and is closed.")]
        public static partial void TimedOut(ILogger logger, long connectionId, string? clientId, int timeoutSeconds);
    }
}
