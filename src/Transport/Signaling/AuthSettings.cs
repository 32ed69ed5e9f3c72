using System.ComponentModel.DataAnnotations;
using System.Text;

namespace ProxChat.Transport.Signaling;

/// <summary>
/// The <c>ProxChat:Auth</c> section: JWT bearer authentication of every client connection,
/// on when <see cref="SigningKey"/> or <see cref="Authority"/> is set.
/// </summary>
public sealed class AuthSettings
{
    /// <summary>HS256 tokens signed with this key's UTF-8 bytes (at least 32).</summary>
    public string? SigningKey { get; set; }

    /// <summary>An OpenID Connect issuer whose discovery document names the signing keys (RS256, ES256).</summary>
    public string? Authority { get; set; }

    /// <summary>The audience tokens must name; required with <see cref="Authority"/>, checked with <see cref="SigningKey"/> when set.</summary>
    public string? Audience { get; set; }

    /// <summary>The issuer tokens must name, when set (with <see cref="Authority"/>, the discovery document's).</summary>
    public string? Issuer { get; set; }

    /// <summary>The claim whose value a connection must register as its client_id.</summary>
    public string ClientIdClaim { get; set; } = "sub";

    /// <summary>The claim that, when present, pins the game_id the connection may use.</summary>
    public string GameIdClaim { get; set; } = "game_id";

    /// <summary>Fetch the authority's metadata over HTTPS only; off only for a local test authority.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public const int MinimumSigningKeyBytes = 32;

    public bool IsEnabled => !string.IsNullOrEmpty(SigningKey) || !string.IsNullOrEmpty(Authority);

    internal IEnumerable<ValidationResult> Validate()
    {
        if (!string.IsNullOrEmpty(SigningKey) && Encoding.UTF8.GetByteCount(SigningKey) < MinimumSigningKeyBytes)
        {
            yield return new ValidationResult(
                $"Auth:SigningKey is {Encoding.UTF8.GetByteCount(SigningKey)} bytes; an HS256 key must be at least {MinimumSigningKeyBytes} bytes (e.g. `openssl rand -base64 48`).",
                [nameof(SigningKey)]);
        }

        if (!string.IsNullOrEmpty(SigningKey) && !string.IsNullOrEmpty(Authority))
        {
            yield return new ValidationResult("Auth:SigningKey and Auth:Authority are both set; set one.", [nameof(SigningKey), nameof(Authority)]);
        }

        if (!string.IsNullOrEmpty(Authority) && string.IsNullOrEmpty(Audience))
        {
            yield return new ValidationResult("Auth:Authority is set without Auth:Audience; tokens of another audience would be accepted.", [nameof(Audience)]);
        }

        if (string.IsNullOrWhiteSpace(ClientIdClaim))
        {
            yield return new ValidationResult("Auth:ClientIdClaim must name a claim (default: sub).", [nameof(ClientIdClaim)]);
        }
    }
}
