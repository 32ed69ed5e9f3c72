using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ProxChat.Transport.Protocol;
using ProxChat.Transport.Signaling;

namespace ProxChat.Transport.Ice;

/// <summary>
/// The ICE servers a client is handed: the TURN servers with credentials made for it (when
/// <c>ProxChat:Turn:Secret</c> is set), then the STUN servers. Stateless, so every node issues
/// the same for the same client and moment.
/// </summary>
public sealed class IceServerIssuer
{
    private readonly TurnSettings _turn;
    private readonly string[] _stunUrls;
    private readonly TimeProvider _time;

    public IceServerIssuer(IOptions<ProxChatOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _turn = options.Value.Turn;
        _stunUrls = options.Value.StunUrls;
        _time = time;
        RefreshAfter = TimeSpan.FromSeconds(_turn.TtlSeconds * 0.75);
    }

    /// <summary>Whether the servers include TURN, whose credentials expire and are refreshed.</summary>
    public bool IssuesTurn => _turn.IsEnabled;

    /// <summary>When a client that asked is sent fresh credentials: at 75% of their lifetime.</summary>
    public TimeSpan RefreshAfter { get; }

    /// <summary>The <c>{"ice_servers":[…],"ttl_seconds":N}</c> object for <paramref name="clientId"/>, as UTF-8 JSON.</summary>
    public byte[] IssueUtf8(string clientId)
    {
        var servers = new List<IceServer>(2);
        if (_turn.IsEnabled)
        {
            var credential = TurnCredentials.Create(_turn.Secret!, clientId, _time.GetUtcNow().AddSeconds(_turn.TtlSeconds));
            servers.Add(new IceServer(_turn.Urls, credential.Username, credential.Credential));
        }

        if (_stunUrls.Length > 0)
        {
            servers.Add(new IceServer(_stunUrls));
        }

        // Relaxed escaping, as every server message: base64's '+' and '/' stay as they are.
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, ServerMessageWriter.WriterOptions))
        {
            JsonSerializer.Serialize(writer, new IceServersData([.. servers], _turn.TtlSeconds), IceJsonContext.Default.IceServersData);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>What the node hands out, for its start-up log: URLs only, never the secret.</summary>
    public string Describe()
    {
        var turn = _turn.IsEnabled
            ? $"TURN {string.Join(", ", _turn.Urls)} (credentials valid {_turn.TtlSeconds} s)"
            : _turn.Urls.Length > 0 ? "no TURN (Turn:Urls is set but Turn:Secret is not)" : "no TURN";
        var stun = _stunUrls.Length > 0 ? $"STUN {string.Join(", ", _stunUrls)}" : "no STUN";
        return $"{turn}; {stun}";
    }
}
