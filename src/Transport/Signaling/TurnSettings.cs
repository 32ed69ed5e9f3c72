using System.ComponentModel.DataAnnotations;

namespace ProxChat.Transport.Signaling;

/// <summary>
/// The <c>ProxChat:Turn</c> section: short-lived credentials for a TURN server that shares
/// <see cref="Secret"/> (coturn's <c>use-auth-secret</c>, the TURN REST API convention). Without a
/// secret the node hands out no TURN entry, only the STUN servers.
/// </summary>
public sealed class TurnSettings
{
    public const int MinimumTtlSeconds = 2;
    public const int MaximumTtlSeconds = 7 * 86_400;

    /// <summary>The secret the TURN server checks credentials with (coturn's <c>static-auth-secret</c>).</summary>
    public string? Secret { get; set; }

    /// <summary>The TURN server's URLs, e.g. <c>turn:turn.example.com:3478?transport=udp</c>.</summary>
    public string[] Urls { get; set; } = [];

    /// <summary>How long a credential is valid; clients that asked get fresh ones after 75% of it.</summary>
    public int TtlSeconds { get; set; } = 3600;

    /// <summary>Whether <c>GET /ice-servers</c> answers (WebSocket and hub clients ask in-band either way).</summary>
    public bool HttpEndpoint { get; set; } = true;

    public bool IsEnabled => !string.IsNullOrEmpty(Secret);

    // Member names as the start-up error names keys: ProxChat:Turn:TtlSeconds.
    private const string Section = nameof(ProxChatOptions.Turn);

    internal IEnumerable<ValidationResult> Validate()
    {
        if (TtlSeconds is < MinimumTtlSeconds or > MaximumTtlSeconds)
        {
            yield return new ValidationResult(
                $"Turn:TtlSeconds must be between {MinimumTtlSeconds} and {MaximumTtlSeconds} (a week).",
                [$"{Section}.{nameof(TtlSeconds)}"]);
        }

        if (IsEnabled && Urls.Length == 0)
        {
            yield return new ValidationResult(
                "Turn:Secret is set but Turn:Urls is empty; list the TURN server's URLs (e.g. turn:turn.example.com:3478?transport=udp).",
                [$"{Section}.{nameof(Urls)}"]);
        }

        foreach (var url in Urls)
        {
            if (!url.StartsWith("turn:", StringComparison.Ordinal) && !url.StartsWith("turns:", StringComparison.Ordinal))
            {
                yield return new ValidationResult(
                    $"Turn:Urls: '{url}' is not a TURN URL; write turn:host:port?transport=udp or turns:host:port?transport=tcp.",
                    [$"{Section}.{nameof(Urls)}"]);
            }
        }
    }

    internal static IEnumerable<ValidationResult> ValidateStunUrls(string[] urls)
    {
        foreach (var url in urls)
        {
            if (!url.StartsWith("stun:", StringComparison.Ordinal) && !url.StartsWith("stuns:", StringComparison.Ordinal))
            {
                yield return new ValidationResult($"StunUrls: '{url}' is not a STUN URL; write stun:host:port.", [nameof(ProxChatOptions.StunUrls)]);
            }
        }
    }
}
