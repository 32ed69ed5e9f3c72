using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProxChat.Transport.Diagnostics;
using ProxChat.Transport.Sessions;

namespace ProxChat.Transport.Signaling;

/// <summary>
/// Decides whether a connection may register a client_id that may be live elsewhere
/// (<see cref="ProxChatOptions.IdentityTakeover"/>). Under Probe the current owner, on this node
/// or another, is asked for a sign of life, and only one that gives none within
/// <see cref="ProxChatOptions.TakeoverProbeSeconds"/> is replaced: knowing a player's id, which
/// every nearby player does, is not enough to take it. A connection whose token's subject is the id
/// has proved it owns it and takes over at once.
/// </summary>
public sealed partial class TakeoverArbiter(ClientRegistry registry, IRemoteOwners remoteOwners, IOptions<ProxChatOptions> options, ProxChatMetrics metrics, ILogger<TakeoverArbiter> logger)
{
    public const string Refused = "refused";
    public const string ProbeFailed = "probe_failed";
    public const string Replaced = "replaced";

    private readonly TimeSpan _probeTimeout = TimeSpan.FromSeconds(options.Value.TakeoverProbeSeconds);
    private readonly bool _probe = options.Value.IdentityTakeover == IdentityTakeover.Probe;

    /// <returns>False when the current owner answered: the newcomer must not take the id.</returns>
    public async ValueTask<bool> MayRegisterAsync(ClientConnection newcomer, string clientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(newcomer);
        if (!_probe || newcomer.Identity is not null)
        {
            return true;
        }

        bool? answered;
        if (registry.TryGet(clientId, out var owner, out _))
        {
            if (owner == newcomer)
            {
                return true;
            }

            answered = await owner.ProbeAsync(_probeTimeout).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            answered = await remoteOwners.ProbeAsync(clientId, _probeTimeout, cancellationToken).ConfigureAwait(false);
        }

        if (answered is not { } alive)
        {
            return true;
        }

        metrics.Takeover(alive ? Refused : ProbeFailed);
        if (alive)
        {
            Log.Refused(logger, clientId, newcomer.Id);
        }
        else
        {
            Log.ProbeFailed(logger, clientId, newcomer.Id);
        }

        return !alive;
    }

    private static partial class Log
    {
        [LoggerMessage(80, LogLevel.Debug, "Connection {ConnectionId} asked for client {ClientId}, whose connection answered its probe: refused.")]
        public static partial void Refused(ILogger logger, string clientId, long connectionId);

        [LoggerMessage(81, LogLevel.Information, "Client {ClientId}'s connection did not answer its probe: connection {ConnectionId} takes it over.")]
        public static partial void ProbeFailed(ILogger logger, string clientId, long connectionId);
    }
}
