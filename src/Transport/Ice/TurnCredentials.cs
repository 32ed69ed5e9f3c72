using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ProxChat.Transport.Ice;

/// <summary>A TURN username and password that expire together.</summary>
public readonly record struct TurnCredential(string Username, string Credential);

/// <summary>
/// Credentials in the TURN REST API convention, which coturn checks with <c>use-auth-secret</c>:
/// the username is <c>&lt;unix expiry&gt;:&lt;client_id&gt;</c> and the password
/// <c>base64(HMAC-SHA1(secret, username))</c>. The TURN server recomputes the password from the
/// username, so nothing is stored and any node can issue them.
/// </summary>
public static class TurnCredentials
{
    public static TurnCredential Create(string secret, string clientId, DateTimeOffset expiresAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentNullException.ThrowIfNull(clientId);
        var username = string.Create(CultureInfo.InvariantCulture, $"{expiresAt.ToUnixTimeSeconds()}:{clientId}");
#pragma warning disable CA5350 // HMAC-SHA1 is what the TURN REST API and coturn define; a keyed MAC, not a bare hash.
        var mac = HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username));
#pragma warning restore CA5350
        return new TurnCredential(username, Convert.ToBase64String(mac));
    }
}
