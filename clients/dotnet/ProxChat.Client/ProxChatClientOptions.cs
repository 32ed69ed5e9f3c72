using System.Net.WebSockets;

namespace ProxChat.Client;

/// <summary>What a <see cref="ProxChatClient"/> connects to and how it behaves. Read when the client is constructed and when it connects; set everything before that.</summary>
public sealed class ProxChatClientOptions
{
    /// <summary>The most characters the server accepts in a client id.</summary>
    public const int MaxClientIdLength = 128;

    /// <param name="serverUri">The server's WebSocket address, e.g. <c>ws://game.example:8080/</c> or <c>wss://voice.example/ws</c>.</param>
    /// <param name="clientId">This client's id: non-empty, at most 128 characters, no control or format characters.</param>
    public ProxChatClientOptions(Uri serverUri, string clientId)
    {
        Guard.NotNull(serverUri, nameof(serverUri));
        Guard.NotNull(clientId, nameof(clientId));
        if (!serverUri.IsAbsoluteUri || (serverUri.Scheme != "ws" && serverUri.Scheme != "wss"))
        {
            throw new ArgumentException("The server address must be an absolute ws:// or wss:// URI.", nameof(serverUri));
        }

        if (clientId.Trim().Length == 0 || clientId.Length > MaxClientIdLength)
        {
            throw new ArgumentException($"A client id is 1 to {MaxClientIdLength} characters, not only whitespace.", nameof(clientId));
        }

        ServerUri = serverUri;
        ClientId = clientId;
    }

    /// <summary>The server's WebSocket address.</summary>
    public Uri ServerUri { get; }

    /// <summary>The id this client registers under, on every connection.</summary>
    public string ClientId { get; }

    /// <summary>A fixed access token (JWT), for servers with authentication on. Ignored when <see cref="AccessTokenProvider"/> is set.</summary>
    public string? AccessToken { get; set; }

    /// <summary>
    /// Asked for a token before every connection attempt, reconnects included, so a token that
    /// expired while the client was connected is replaced. Return null to send none.
    /// </summary>
    public Func<CancellationToken, Task<string?>>? AccessTokenProvider { get; set; }

    /// <summary>Where the token goes in the upgrade request. Default <see cref="AccessTokenPlacement.Header"/>.</summary>
    public AccessTokenPlacement AccessTokenPlacement { get; set; } = AccessTokenPlacement.Header;

    /// <summary>How the client reconnects after losing its connection.</summary>
    public ReconnectPolicy Reconnect { get; set; } = new();

    /// <summary>
    /// The client re-sends its last position when it sent none for this long, so the server's
    /// ClientTimeout (default 15 s) never fires while the application is alive but standing still.
    /// Default 5 s; <see cref="Timeout.InfiniteTimeSpan"/> turns the keep-alive off.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The shortest time between two <c>UpdatePosition</c> messages. Positions set sooner are held
    /// back and only the newest is sent when the interval has passed, so calling
    /// <see cref="ProxChatClient.UpdatePosition"/> every frame is fine. Default 50 ms; zero sends every one.
    /// </summary>
    public TimeSpan MinPositionInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long opening a connection may take. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long <see cref="ProxChatClient.DisconnectAsync"/> waits for the server to close the socket before aborting it. Default 5 s.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The largest message the client accepts from the server; a larger one is dropped and reported
    /// as <see cref="ProxChatErrorKind.MessageTooLarge"/>. Default 1 MiB (the server's own limit for
    /// what it relays is 64 KiB by default).
    /// </summary>
    public int MaxReceiveMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>Called on each new socket's options before it connects: proxy, client certificates, extra headers, sub-protocols.</summary>
    public Action<ClientWebSocketOptions>? ConfigureWebSocket { get; set; }

    internal void Validate(string paramName)
    {
        if (KeepAliveInterval <= TimeSpan.Zero && KeepAliveInterval != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException("KeepAliveInterval must be positive, or Timeout.InfiniteTimeSpan to turn the keep-alive off.", paramName);
        }

        if (MinPositionInterval < TimeSpan.Zero || ConnectTimeout <= TimeSpan.Zero || CloseTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("MinPositionInterval may not be negative; ConnectTimeout and CloseTimeout must be positive.", paramName);
        }

        if (MaxReceiveMessageBytes < 1024)
        {
            throw new ArgumentException("MaxReceiveMessageBytes must be at least 1024.", paramName);
        }

        Guard.NotNull(Reconnect, paramName);
        if (Reconnect.InitialDelay < TimeSpan.Zero || Reconnect.MaxDelay < Reconnect.InitialDelay || Reconnect.MaxAttempts < 0)
        {
            throw new ArgumentException("Reconnect delays may not be negative, MaxDelay not below InitialDelay, MaxAttempts not negative.", paramName);
        }
    }
}
