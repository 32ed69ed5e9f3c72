using System.Text.Json;
using System.Text.Json.Serialization;
using ProxChat.Proximity;
using ProxChat.Transport.Protocol;

namespace ProxChat.Transport.Cluster;

/// <summary>
/// What one node publishes to another on its bus channel, as a JSON object. A message of digits
/// alone is a node's probe of its own channel (<see cref="BusSubscription"/>).
/// </summary>
internal sealed class BusMessage
{
    /// <summary>A server message for <see cref="ClientId"/>; or, when <see cref="ReplacedConnection"/> is set, a takeover.</summary>
    [JsonPropertyName("k")]
    public ServerMessageKind Kind { get; set; }

    [JsonPropertyName("c")]
    public string ClientId { get; set; } = string.Empty;

    /// <summary>
    /// A relay's payload or an error's text: one JSON string either way, so nodes of the version
    /// that kept both as <see cref="string"/> read it too, and a rolling upgrade loses nothing.
    /// </summary>
    [JsonPropertyName("t")]
    public RelayPayload Text { get; set; }

    [JsonPropertyName("s")]
    public string? SenderId { get; set; }

    [JsonPropertyName("p")]
    public string[]? Peers { get; set; }

    [JsonPropertyName("v")]
    public long Version { get; set; }

    /// <summary>A relay sent on a link (see <see cref="ServerMessage.OnLink"/>); absent, from nodes before it, reads as false.</summary>
    [JsonPropertyName("l")]
    public bool OnLink { get; set; }

    /// <summary>A newer connection elsewhere took <see cref="ClientId"/> from this node's connection with this id.</summary>
    [JsonPropertyName("r")]
    public long? ReplacedConnection { get; set; }

    /// <summary>
    /// A takeover probe: set on the request (with <see cref="ProbedClient"/>, <see cref="ProbedConnection"/>,
    /// <see cref="ReplyNode"/> and <see cref="ProbeMilliseconds"/>) and on its answer (with <see cref="Answered"/>).
    /// A probe names no <see cref="ClientId"/>, so a node of a version before probes drops it unread
    /// and, never answering, lets the takeover go ahead as that version would have. Left out of
    /// the JSON when unset, so the messages that carry relays grow by nothing.
    /// </summary>
    [JsonPropertyName("q")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long? ProbeRequest { get; set; }

    [JsonPropertyName("i")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public string? ProbedClient { get; set; }

    [JsonPropertyName("o")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long ProbedConnection { get; set; }

    [JsonPropertyName("n")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public string? ReplyNode { get; set; }

    [JsonPropertyName("m")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int ProbeMilliseconds { get; set; }

    /// <summary>On a probe's answer: whether the probed connection answered.</summary>
    [JsonPropertyName("a")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool? Answered { get; set; }

    public static byte[] Serialize(string clientId, in ServerMessage message) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new BusMessage
            {
                Kind = message.Kind,
                ClientId = clientId,
                Text = message.Kind == ServerMessageKind.Error ? RelayPayload.FromString(message.Text ?? string.Empty) : message.Payload,
                SenderId = message.SenderId,
                Peers = message.Kind == ServerMessageKind.NearbyPeers ? message.Peers.PeerIds : null,
                Version = message.Peers.Version,
                OnLink = message.OnLink,
            },
            BusJsonContext.Default.BusMessage);

    public static byte[] Probe(long request, string clientId, long connectionId, string replyNode, TimeSpan timeout) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new BusMessage
            {
                ProbeRequest = request,
                ProbedClient = clientId,
                ProbedConnection = connectionId,
                ReplyNode = replyNode,
                ProbeMilliseconds = (int)timeout.TotalMilliseconds,
            },
            BusJsonContext.Default.BusMessage);

    public static byte[] ProbeAnswer(long request, bool answered) =>
        JsonSerializer.SerializeToUtf8Bytes(new BusMessage { ProbeRequest = request, Answered = answered }, BusJsonContext.Default.BusMessage);

    public static byte[] Takeover(string clientId, long replacedConnection) =>
        JsonSerializer.SerializeToUtf8Bytes(new BusMessage { ClientId = clientId, ReplacedConnection = replacedConnection }, BusJsonContext.Default.BusMessage);

    /// <summary>
    /// Reads a message as <see cref="Serialize"/> writes it, skipping properties it does not know
    /// (a later version's). Read by hand rather than by the serializer so that a relay's payload
    /// stays a slice of <paramref name="bytes"/>, which the message then keeps: a payload that
    /// crossed the bus is not copied again on its way to the client.
    /// </summary>
    /// <exception cref="JsonException">The bytes are not such a message.</exception>
    public static BusMessage? Deserialize(ReadOnlyMemory<byte> bytes)
    {
        var reader = new Utf8JsonReader(bytes.Span);
        try
        {
            if (!reader.Read() || reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("A bus message is a JSON object.");
            }

            var message = new BusMessage();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueIsEscaped || reader.ValueSpan.Length != 1 ? (byte)0 : reader.ValueSpan[0];
                reader.Read();
                ReadValue(ref reader, name, bytes, message);
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                throw new JsonException("A bus message is one JSON object.");
            }

            return message;
        }
        catch (Exception exception) when (exception is InvalidOperationException or FormatException)
        {
            // A value of the wrong type (GetInt32 on a string, a number out of range).
            throw new JsonException(exception.Message, exception);
        }
    }

    /// <summary>Reads the value the reader is on into the property <paramref name="name"/> names, or skips it.</summary>
    private static void ReadValue(ref Utf8JsonReader reader, byte name, ReadOnlyMemory<byte> bytes, BusMessage message)
    {
        var isNull = reader.TokenType == JsonTokenType.Null;
        switch (name)
        {
            case (byte)'k':
                message.Kind = (ServerMessageKind)reader.GetInt32();
                break;
            case (byte)'c':
                message.ClientId = reader.GetString() ?? throw new JsonException("A bus message names its client.");
                break;
            case (byte)'t':
                message.Text = isNull ? default : reader.TokenType == JsonTokenType.String
                    ? RelayPayload.Borrow(ref reader, bytes)
                    : throw new JsonException("The payload must be a string.");
                break;
            case (byte)'s':
                message.SenderId = reader.GetString();
                break;
            case (byte)'p':
                message.Peers = isNull ? null : ReadStrings(ref reader);
                break;
            case (byte)'v':
                message.Version = reader.GetInt64();
                break;
            case (byte)'l':
                message.OnLink = reader.GetBoolean();
                break;
            case (byte)'r':
                message.ReplacedConnection = isNull ? null : reader.GetInt64();
                break;
            case (byte)'q':
                message.ProbeRequest = isNull ? null : reader.GetInt64();
                break;
            case (byte)'i':
                message.ProbedClient = reader.GetString();
                break;
            case (byte)'o':
                message.ProbedConnection = reader.GetInt64();
                break;
            case (byte)'n':
                message.ReplyNode = reader.GetString();
                break;
            case (byte)'m':
                message.ProbeMilliseconds = reader.GetInt32();
                break;
            case (byte)'a':
                message.Answered = isNull ? null : reader.GetBoolean();
                break;
            default:
                // A later version's property: an object or array is skipped whole.
                reader.Skip();
                break;
        }
    }

    private static string[] ReadStrings(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("Peers are an array of client ids.");
        }

        var strings = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            strings.Add(reader.GetString() ?? throw new JsonException("A peer is a client id."));
        }

        return [.. strings];
    }

    public ServerMessage ToServerMessage() => Kind == ServerMessageKind.Error
        ? ServerMessage.Error(Text.ToString())
        : new(Kind, SenderId: SenderId, Peers: new PeerSnapshot(Peers ?? [], Version), Payload: Text, OnLink: OnLink);
}

[JsonSerializable(typeof(BusMessage))]
internal sealed partial class BusJsonContext : JsonSerializerContext;
