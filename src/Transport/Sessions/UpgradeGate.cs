using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProxChat.Transport.Diagnostics;
using ProxChat.Transport.Protocol;
using ProxChat.Transport.Signaling;

namespace ProxChat.Transport.Sessions;

/// <summary>
/// What a request must pass before it becomes a client connection (a raw WebSocket, or a hub
/// negotiation): an allowed Origin, a valid token when authentication is on, room for its address
/// and room on the node. Each refusal is an HTTP status before any WebSocket exists, counted by
/// reason in <c>proxchat.upgrades.refused</c>.
/// </summary>
public sealed partial class UpgradeGate(
    IOptions<ProxChatOptions> options,
    ConnectionIdentities identities,
    ConnectionsPerAddress addresses,
    ConnectionCapacity capacity,
    IHostApplicationLifetime lifetime,
    ProxChatMetrics metrics,
    ILogger<UpgradeGate> logger)
{
    private readonly HashSet<string> _allowedOrigins = new(options.Value.AllowedOrigins, StringComparer.OrdinalIgnoreCase);
    private readonly bool _authenticate = options.Value.Auth.IsEnabled;

    /// <summary>Whether a page from <paramref name="context"/>'s Origin may connect; a request with none (a native client) may.</summary>
    public bool IsOriginAllowed(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _allowedOrigins.Count == 0
            || context.Request.Headers.Origin is not [{ } origin, ..]
            || _allowedOrigins.Contains(origin);
    }

    /// <summary>
    /// Answers the request with the refusal, if it gets one. When admitted, and
    /// <paramref name="holdAddress"/>, one connection is counted against the client's address
    /// until the caller gives it back with <see cref="ConnectionsPerAddress.Release"/>.
    /// </summary>
    /// <returns>The address counted (or <see cref="IPAddress.None"/>), or null when the request was refused and answered.</returns>
    public async ValueTask<IPAddress?> AdmitAsync(HttpContext context, bool holdAddress)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return null;
        }

        if (!IsOriginAllowed(context))
        {
            Log.OriginRefused(logger, context.Request.Headers.Origin.ToString(), context.Connection.RemoteIpAddress);
            await RefuseAsync(context, "origin", StatusCodes.Status403Forbidden, "This page's origin may not connect to this server.").ConfigureAwait(false);
            return null;
        }

        if (_authenticate && (context.User.Identity?.IsAuthenticated != true || !identities.HasSubject(context.User)))
        {
            metrics.UpgradeRefused("unauthorized");
            await context.ChallengeAsync().ConfigureAwait(false);
            return null;
        }

        var address = context.Connection.RemoteIpAddress;
        var held = holdAddress ? addresses.TryAcquire(address) : addresses.IsFull(address) ? null : IPAddress.None;
        if (held is null)
        {
            Log.AddressFull(logger, address);
            context.Response.Headers.RetryAfter = "10";
            await RefuseAsync(context, "per_ip", StatusCodes.Status429TooManyRequests, "Too many connections from this address.").ConfigureAwait(false);
            return null;
        }

        if (capacity.IsFull)
        {
            addresses.Release(held);
            metrics.ConnectionRefused();
            context.Response.Headers.RetryAfter = "1";
            await RefuseAsync(context, "node_full", StatusCodes.Status503ServiceUnavailable, ProtocolErrors.NodeFull).ConfigureAwait(false);
            return null;
        }

        return held;
    }

    private async Task RefuseAsync(HttpContext context, string reason, int status, string text)
    {
        metrics.UpgradeRefused(reason);
        context.Response.StatusCode = status;
        await context.Response.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(90, LogLevel.Debug, "Refused a connection from {Address}: its page's origin {Origin} is not in AllowedOrigins.")]
        public static partial void OriginRefused(ILogger logger, string origin, IPAddress? address);

        [LoggerMessage(91, LogLevel.Debug, "Refused a connection from {Address}: it holds MaxConnectionsPerIp.")]
        public static partial void AddressFull(ILogger logger, IPAddress? address);
    }
}
