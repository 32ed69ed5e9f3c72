using System.ComponentModel.DataAnnotations;

namespace ProxChat.Transport.Signaling;

/// <summary>The <c>ProxChat</c> configuration section, validated at start-up.</summary>
public sealed class ProxChatOptions : IValidatableObject
{
    public const string SectionName = "ProxChat";

    /// <summary>An unlinked pair links at this distance or closer.</summary>
    [Range(0, int.MaxValue)]
    public int IntroductionRange { get; set; } = 20;

    /// <summary>A linked pair unlinks beyond this distance. At least <see cref="IntroductionRange"/>.</summary>
    [Range(0, int.MaxValue)]
    public int DisconnectionRange { get; set; } = 25;

    /// <summary>A connection that sends no UpdatePosition for this long is removed and closed; 0 disables.</summary>
    [Range(0, 86_400)]
    public int ClientTimeoutSeconds { get; set; } = 15;

    /// <summary>How often each client is re-sent its NearbyPeers; 0 disables.</summary>
    [Range(0, 86_400)]
    public int ReintroductionIntervalSeconds { get; set; } = 5;

    public RelayPolicy RelayPolicy { get; set; } = RelayPolicy.Nearby;

    /// <summary>Under the Nearby policy, how long a pair may still relay after unlinking.</summary>
    [Range(0, 86_400)]
    public int RelayGraceSeconds { get; set; } = 10;

    /// <summary>A larger message closes the connection with 1009.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Messages queued for one client before it counts as not reading and is dropped.</summary>
    [Range(16, 1_000_000)]
    public int SendQueueLimit { get; set; } = 1024;

    /// <summary>
    /// Bytes of relayed payloads queued for one client before it counts as not reading and is
    /// dropped. At least <see cref="MaxMessageBytes"/>, so any one relay fits.
    /// </summary>
    [Range(1024, int.MaxValue)]
    public int SendQueueByteLimit { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Messages a second one connection may have acted on, sustained, besides its moves (relays,
    /// refreshes, Disconnect); past it (and its burst) they are dropped, so no client can take
    /// Redis's time from the others or bury a peer in relays. 0 disables.
    /// </summary>
    [Range(0, 1_000_000)]
    public int MessageRateLimit { get; set; } = 100;

    /// <summary>Messages a connection may send at once after a pause: the size of its bucket, refilled at <see cref="MessageRateLimit"/>.</summary>
    [Range(1, 1_000_000)]
    public int MessageBurst { get; set; } = 200;

    /// <summary>
    /// Moves placed a second, at most, for one client: one sent sooner waits its turn, and only
    /// the newest of those that arrive meanwhile is placed. 0 places every move as it comes.
    /// </summary>
    [Range(0, 10_000)]
    public int PositionRateLimit { get; set; } = 50;

    /// <summary>
    /// Open connections (raw WebSocket and hub) this node takes at most; past it new ones get 503
    /// and the node reports not ready, so a balancer sends players elsewhere. 0 for no limit.
    /// </summary>
    [Range(0, 10_000_000)]
    public int MaxConnections { get; set; }

    /// <summary>How often the server pings each WebSocket; 0 disables pings.</summary>
    [Range(0, 3_600)]
    public int KeepAliveIntervalSeconds { get; set; } = 15;

    /// <summary>How long a ping may go unanswered before the connection is dropped; 0 only sends pings.</summary>
    [Range(0, 3_600)]
    public int KeepAliveTimeoutSeconds { get; set; } = 15;

    /// <summary>
    /// With Redis: a node silent this long is presumed dead and its clients are removed. At least
    /// 5: the others act after this less two heartbeats (one a second) of silence, and less than
    /// three beats' worth would reap live nodes whose beat is merely late.
    /// </summary>
    [Range(5, 3_600)]
    public int NodeTimeoutSeconds { get; set; } = 15;

    /// <summary>With Redis: the prefix of every key and channel, so several deployments can share one Redis.</summary>
    [RegularExpression("^[A-Za-z0-9_.-]{1,32}$")]
    public string RedisKeyPrefix { get; set; } = "proxchat";

    /// <summary>The SignalR hub at /hub beside the raw WebSocket.</summary>
    public SignalRSettings SignalR { get; set; } = new();

    /// <summary>What happens when a client_id that is live on another connection registers again.</summary>
    public IdentityTakeover IdentityTakeover { get; set; } = IdentityTakeover.Probe;

    /// <summary>Under <see cref="IdentityTakeover.Probe"/>, how long the old connection has to answer its probe.</summary>
    [Range(1, 60)]
    public int TakeoverProbeSeconds { get; set; } = 3;

    /// <summary>
    /// Bytes of relayed payloads (offers, answers, candidates) a second one connection may send,
    /// sustained, with a burst of <see cref="MaxMessageBytes"/> × 16 (or a second's worth, if that is more); past it relays are refused
    /// with an Error and the connection stays. 0 disables.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int RelayBytesPerSecond { get; set; } = 256 * 1024;

    /// <summary>Origins (<c>https://game.example.com</c>) whose pages may connect; requests without an Origin header (native clients) always may. Empty: any.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Open client connections (raw WebSocket and hub) one address may hold; past it, 429 at the upgrade. 0 disables.</summary>
    [Range(0, 10_000_000)]
    public int MaxConnectionsPerIp { get; set; }

    /// <summary>Proxies (IP addresses) whose X-Forwarded-For header names the client's address.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks (CIDR, <c>10.0.0.0/8</c>) whose proxies' X-Forwarded-For header names the client's address.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>A TCP connection that has not completed a request within this long is closed.</summary>
    [Range(1, 300)]
    public int HandshakeTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Open sockets on the client listeners, upgraded or not, the node keeps at most; past it new
    /// ones are closed at once. 0: automatically below the process's file-descriptor limit, so
    /// running out of descriptors refuses connections instead of failing the process.
    /// </summary>
    [Range(0, 10_000_000)]
    public int MaxSockets { get; set; }

    /// <summary>Optional JWT authentication of every client connection.</summary>
    public AuthSettings Auth { get; set; } = new();

    /// <summary>Short-lived credentials for a TURN server, handed out with the ICE servers.</summary>
    public TurnSettings Turn { get; set; } = new();

    /// <summary>STUN servers handed out with the ICE servers (no credentials), e.g. <c>stun:stun.example.com:3478</c>.</summary>
    public string[] StunUrls { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SendQueueByteLimit < MaxMessageBytes)
        {
            yield return new ValidationResult(
                $"SendQueueByteLimit ({SendQueueByteLimit}) must be at least MaxMessageBytes ({MaxMessageBytes}), or a relay of the largest message could never be queued.",
                [nameof(SendQueueByteLimit), nameof(MaxMessageBytes)]);
        }

        foreach (var problem in Auth.Validate())
        {
            yield return problem;
        }

        foreach (var problem in Turn.Validate().Concat(TurnSettings.ValidateStunUrls(StunUrls)))
        {
            yield return problem;
        }

        foreach (var origin in AllowedOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.PathAndQuery != "/" || origin.EndsWith('/'))
            {
                yield return new ValidationResult(
                    $"AllowedOrigins: '{origin}' is not an origin; write it as the browser sends it, scheme and host (and port), e.g. https://game.example.com.",
                    [nameof(AllowedOrigins)]);
            }
        }

        foreach (var proxy in KnownProxies)
        {
            if (!System.Net.IPAddress.TryParse(proxy, out _))
            {
                yield return new ValidationResult($"KnownProxies: '{proxy}' is not an IP address.", [nameof(KnownProxies)]);
            }
        }

        foreach (var network in KnownNetworks)
        {
            if (!System.Net.IPNetwork.TryParse(network, out _))
            {
                yield return new ValidationResult($"KnownNetworks: '{network}' is not a network in CIDR notation (e.g. 10.0.0.0/8).", [nameof(KnownNetworks)]);
            }
        }

        if (DisconnectionRange < IntroductionRange)
        {
            yield return new ValidationResult(
                $"DisconnectionRange ({DisconnectionRange}) must be at least IntroductionRange ({IntroductionRange}).",
                [nameof(DisconnectionRange), nameof(IntroductionRange)]);
        }
    }
}

public enum IdentityTakeover
{
    /// <summary>The old connection is probed; only one that does not answer in time is replaced.</summary>
    Probe,

    /// <summary>The newest connection takes the id at once (the original server's behaviour).</summary>
    Replace,
}

/// <summary>The <c>ProxChat:SignalR</c> section.</summary>
public sealed class SignalRSettings
{
    /// <summary>Whether to offer the hub at /hub.</summary>
    public bool Enabled { get; set; } = true;
}
