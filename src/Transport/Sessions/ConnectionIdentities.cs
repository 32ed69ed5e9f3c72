using System.Globalization;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using ProxChat.Transport.Signaling;

namespace ProxChat.Transport.Sessions;

/// <summary>Reads a connection's <see cref="ConnectionIdentity"/> from its authenticated user, by the claims <c>ProxChat:Auth</c> names.</summary>
public sealed class ConnectionIdentities(IOptions<ProxChatOptions> options)
{
    /// <returns>Null when authentication is off.</returns>
    public ConnectionIdentity? Of(ClaimsPrincipal? user)
    {
        var auth = options.Value.Auth;
        if (!auth.IsEnabled || user?.FindFirst(auth.ClientIdClaim)?.Value is not { Length: > 0 } subject)
        {
            return null;
        }

        int? gameId = int.TryParse(user.FindFirst(auth.GameIdClaim)?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pinned) ? pinned : null;
        return new ConnectionIdentity(subject, gameId);
    }

    /// <summary>Whether an authenticated user's token names the client_id it must register (checked at the upgrade).</summary>
    public bool HasSubject(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirst(options.Value.Auth.ClientIdClaim)?.Value is { Length: > 0 };
    }
}
