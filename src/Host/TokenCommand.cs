using System.Globalization;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ProxChat.Transport.Signaling;

namespace ProxChat.Host;

/// <summary>
/// <c>ProxChat.Host token --sub alice [--minutes 60] [--game-id 3]</c>: prints a token signed
/// with the configured <c>ProxChat:Auth:SigningKey</c> (from appsettings, the environment or the
/// command line, as the server reads it), for trying authentication out. A game's own backend
/// issues the real ones.
/// </summary>
internal static class TokenCommand
{
    public const string Command = "token";

    public static int Run(string[] args)
    {
        var options = ParseOptions(args[1..]);
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(options.Remaining)
            .Build();
        var auth = (configuration.GetSection(ProxChatOptions.SectionName).Get<ProxChatOptions>() ?? new ProxChatOptions()).Auth;
        if (options.Subject is not { Length: > 0 } subject)
        {
            return Fail("token: --sub <client_id> is required.");
        }

        if (string.IsNullOrEmpty(auth.SigningKey) || System.Text.Encoding.UTF8.GetByteCount(auth.SigningKey) < AuthSettings.MinimumSigningKeyBytes)
        {
            return Fail($"token: ProxChat:Auth:SigningKey must be set to at least {AuthSettings.MinimumSigningKeyBytes} bytes (e.g. ProxChat__Auth__SigningKey in the environment).");
        }

        var claims = new Dictionary<string, object> { [auth.ClientIdClaim] = subject };
        if (options.GameId is { } gameId)
        {
            claims[auth.GameIdClaim] = gameId;
        }

        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            Subject = new ClaimsIdentity(),
            Issuer = auth.Issuer,
            Audience = auth.Audience,
            Expires = DateTime.UtcNow.AddMinutes(options.Minutes),
            SigningCredentials = new SigningCredentials(Authentication.SigningKey(auth.SigningKey), SecurityAlgorithms.HmacSha256),
        });
        Console.WriteLine(token);
        return 0;
    }

    private static (string? Subject, int Minutes, int? GameId, string[] Remaining) ParseOptions(string[] args)
    {
        string? subject = null;
        var minutes = 60;
        int? gameId = null;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--sub" when value is not null:
                    subject = value;
                    i++;
                    break;
                case "--minutes" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed > 0:
                    minutes = parsed;
                    i++;
                    break;
                case "--game-id" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed):
                    gameId = parsed;
                    i++;
                    break;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }

        return (subject, minutes, gameId, [.. rest]);
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}
