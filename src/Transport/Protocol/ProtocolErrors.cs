namespace ProxChat.Transport.Protocol;

/// <summary>The texts of the <c>Error</c> messages, in one place so clients and docs can rely on them.</summary>
public static class ProtocolErrors
{
    public const int MaxClientIdLength = 128;

    public const string NotRegistered = "Client must send UpdatePosition first.";
    public const string NotJson = "Message is not valid JSON.";
    public const string NotAnObject = "Message must be a JSON object.";
    public const string MissingType = "Message has no 'type'.";
    public const string TypeNotString = "Message 'type' must be a string.";
    public const string BinaryFrame = "Binary frames are not supported; send each message as one JSON text frame.";
    public const string ClientIdEmpty = "UpdatePosition: 'client_id' must not be empty.";
    public const string StoreUnavailable = "The server cannot reach its shared state (Redis) right now; the message was not applied. Retry shortly.";
    public const string StoreTooSlow = "The server's shared state (Redis) did not answer in time; the message may or may not have been applied.";

    public const string ClientIdInvalidCharacters = "UpdatePosition: 'client_id' must not contain control or format characters (such as NUL or zero-width characters) and must not be only whitespace.";

    public static readonly string ClientIdTooLong = $"UpdatePosition: 'client_id' must be at most {MaxClientIdLength} characters.";

    private const int MaxEchoedLength = 64;

    public const string NodeFull = "This server node is full; connect again, and the balancer should pick another node.";

    public static string TooManyMessages(int messagesPerSecond) =>
        $"Too many messages: over {messagesPerSecond} a second. This message and those after it are dropped until the client slows down.";

    public static string DuplicateProperty(string name) => $"Message has the property '{Truncate(name)}' more than once.";

    public static string UnknownType(string type) => $"Unknown message type '{Truncate(type)}'.";

    public static string DataRequired(string type, string fields) => $"{type}: 'data' must be an object with {fields}.";

    public static string FieldInvalid(string type, string field, string expected) => $"{type}: '{field}' is required and must be {expected}.";

    public static string ClientIdChanged(string registeredId) =>
        $"client_id cannot change on a connection; this connection is registered as '{registeredId}'.";

    public static string TargetNotFound(string targetId) => $"Client {Truncate(targetId)} not found";

    public static string TargetNotNearby(string targetId) => $"Client {Truncate(targetId)} is not nearby";

    public static string TargetBusy(string targetId) =>
        $"Client {Truncate(targetId)} is busy: it has not read the relays already sent to it. Try again shortly.";

    public static string RelayBytesExceeded(int bytesPerSecond) =>
        $"Too many relay bytes: over {bytesPerSecond} bytes a second of offers, answers and candidates. Relays are refused until the client slows down.";

    public const string TooManyInvalidMessages = "Too many invalid messages.";

    public static string ClientIdInUse(string clientId) => $"client_id '{Truncate(clientId)}' is in use by another connection.";

    public static string ClientIdNotSubject(string subject) =>
        $"UpdatePosition: 'client_id' must be '{Truncate(subject)}', the subject of this connection's token.";

    public static string GameIdPinned(int gameId) => $"UpdatePosition: 'game_id' must be {gameId}, as this connection's token says.";

    public static string TargetIsSelf(string type) => $"{type}: cannot send to yourself.";

    private static string Truncate(string text) => text.Length <= MaxEchoedLength ? text : string.Concat(text.AsSpan(0, MaxEchoedLength), "…");
}
