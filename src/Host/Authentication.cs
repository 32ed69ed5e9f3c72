using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using ProxChat.Transport.Signaling;

namespace ProxChat.Host;

/// <summary>
/// JWT bearer authentication of client connections, when <c>ProxChat:Auth</c> turns it on: HS256
/// with a shared key, or an OpenID Connect authority's keys (RS256, ES256). Browsers cannot set
/// headers on a WebSocket, so the token may also come as the <c>access_token</c> query parameter.
/// </summary>
internal static class Authentication
{
    public const string AccessTokenParameter = "access_token";

    /// <summary>The algorithms each kind of key is accepted with: never "none", never a downgrade.</summary>
    private static readonly string[] SharedKeyAlgorithms = [SecurityAlgorithms.HmacSha256];
    private static readonly string[] AuthorityAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];

    public static void Add(IServiceCollection services, AuthSettings auth)
    {
        services.AddAuthorization();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            // Claims keep the names the token gives them (sub stays sub).
            jwt.MapInboundClaims = false;
            jwt.Events = new JwtBearerEvents { OnMessageReceived = ReadQueryToken };
            if (!string.IsNullOrEmpty(auth.SigningKey))
            {
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    IssuerSigningKey = SigningKey(auth.SigningKey),
                    ValidAlgorithms = SharedKeyAlgorithms,
                    ValidateIssuer = !string.IsNullOrEmpty(auth.Issuer),
                    ValidIssuer = auth.Issuer,
                    ValidateAudience = !string.IsNullOrEmpty(auth.Audience),
                    ValidAudience = auth.Audience,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
            }
            else
            {
                jwt.Authority = auth.Authority;
                jwt.Audience = auth.Audience;
                jwt.RequireHttpsMetadata = auth.RequireHttpsMetadata;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidAlgorithms = AuthorityAlgorithms,
                    ValidateIssuer = true,
                    ValidIssuer = string.IsNullOrEmpty(auth.Issuer) ? null : auth.Issuer,
                    ValidateAudience = true,
                    RequireExpirationTime = true,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
            }
        });
    }

    public static SymmetricSecurityKey SigningKey(string key) => new(Encoding.UTF8.GetBytes(key));

    private static Task ReadQueryToken(MessageReceivedContext context)
    {
        if (string.IsNullOrEmpty(context.Token) && context.Request.Query[AccessTokenParameter] is [{ Length: > 0 } token])
        {
            context.Token = token;
        }

        return Task.CompletedTask;
    }
}
