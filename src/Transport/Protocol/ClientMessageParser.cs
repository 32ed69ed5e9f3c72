using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ProxChat.Proximity;

namespace ProxChat.Transport.Protocol;

/// <summary>
/// Reads one client message: the envelope with <see cref="Utf8JsonReader"/> (so <c>type</c> is
/// matched without allocating and <c>data</c> may come first), the payload with the
/// source-generated <see cref="ProtocolJsonContext"/>, then validates every field.
/// </summary>
public static class ClientMessageParser
{
    private const string IntegerExpectation = "a 32-bit integer";
    private const string StringExpectation = "a string";

    // Matched as UTF-8 bytes, so recognising a type allocates nothing.
    private static readonly (byte[] Name, ClientMessageKind Kind)[] TypeNames =
    [
        .. Enum.GetValues<ClientMessageKind>()
            .Where(kind => kind != ClientMessageKind.None)
            .Select(kind => (Encoding.UTF8.GetBytes(kind.ToString()), kind)),
    ];

    /// <summary>
    /// On failure <paramref name="message"/> still carries the recognised type, if the envelope
    /// had one, so the caller can tell an unregistered client what it must do first.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8Json, out ClientMessage message, [NotNullWhen(false)] out string? error)
    {
        message = default;
        if (!TryReadEnvelope(utf8Json, out var kind, out var data, out error))
        {
            return false;
        }

        return TryParseData(kind, data, out message, out error);
    }

    /// <summary>
    /// Validates a message's <c>data</c> (empty when absent or null) for a known type: what the
    /// SignalR hub receives as its methods' argument, checked exactly as on the raw socket.
    /// </summary>
    public static bool TryParseData(ClientMessageKind kind, ReadOnlySpan<byte> data, out ClientMessage message, [NotNullWhen(false)] out string? error)
    {
        message = new ClientMessage(kind);
        try
        {
            return kind switch
            {
                ClientMessageKind.UpdatePosition => TryReadUpdatePosition(data, out message, out error),
                ClientMessageKind.SendOffer => TryReadRelay(data, kind, "offer", ProtocolJsonContext.Default.SendOfferData, static d => (d.TargetId, d.Offer), out message, out error),
                ClientMessageKind.SendAnswer => TryReadRelay(data, kind, "answer", ProtocolJsonContext.Default.SendAnswerData, static d => (d.TargetId, d.Answer), out message, out error),
                ClientMessageKind.SendIceCandidate => TryReadRelay(data, kind, "candidate", ProtocolJsonContext.Default.SendIceCandidateData, static d => (d.TargetId, d.Candidate), out message, out error),
                _ => Succeed(new ClientMessage(kind), out message, out error),
            };
        }
        catch (JsonException exception)
        {
            // Looked for only once the payload failed, so a valid message pays nothing for it.
            error = FindDuplicateProperty(data) is { } duplicate
                ? ProtocolErrors.DuplicateProperty(duplicate)
                : DescribeFieldError(kind, exception.Path);
            return false;
        }
        catch (InvalidOperationException)
        {
            // The reader refuses strings with unpaired surrogate escapes this way.
            error = ProtocolErrors.NotJson;
            return false;
        }
    }

    private static bool TryReadEnvelope(ReadOnlySpan<byte> utf8Json, out ClientMessageKind kind, out ReadOnlySpan<byte> data, [NotNullWhen(false)] out string? error)
    {
        kind = default;
        data = default;
        ClientMessageKind? type = null;
        string? unknownType = null;
        var sawType = false;
        var sawData = false;
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                // Read the rest anyway so that broken JSON is reported as such, not as a non-object.
                while (reader.Read())
                {
                }

                error = ProtocolErrors.NotAnObject;
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    if (sawType)
                    {
                        return Duplicate(ref reader, "type", out error);
                    }

                    sawType = true;
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        SkipToEnd(ref reader);
                        error = ProtocolErrors.TypeNotString;
                        return false;
                    }

                    type = MatchType(ref reader);
                    unknownType = type is null ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("data"u8))
                {
                    if (sawData)
                    {
                        return Duplicate(ref reader, "data", out error);
                    }

                    sawData = true;
                    reader.Read();
                    var start = (int)reader.TokenStartIndex;
                    var isNull = reader.TokenType == JsonTokenType.Null;
                    reader.Skip();
                    data = isNull ? default : utf8Json[start..(int)reader.BytesConsumed];
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            SkipToEnd(ref reader);
        }
        catch (JsonException)
        {
            error = ProtocolErrors.NotJson;
            return false;
        }
        catch (InvalidOperationException)
        {
            error = ProtocolErrors.NotJson;
            return false;
        }

        if (type is { } known)
        {
            kind = known;
            error = null;
            return true;
        }

        error = unknownType is null ? ProtocolErrors.MissingType : ProtocolErrors.UnknownType(unknownType);
        return false;
    }

    private static bool Duplicate(ref Utf8JsonReader reader, string name, out string error)
    {
        // Broken JSON after the repeated name is still reported as broken JSON.
        SkipToEnd(ref reader);
        error = ProtocolErrors.DuplicateProperty(name);
        return false;
    }

    /// <summary>The first property name that the object <paramref name="utf8Json"/> holds twice at its top level, if any.</summary>
    private static string? FindDuplicateProperty(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                if (!seen.Add(name))
                {
                    return name;
                }

                reader.Read();
                reader.Skip();
            }
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // Broken JSON: reported as the field error the deserializer found.
        }

        return null;
    }

    // Reading past the end makes the reader reject anything after the object.
    private static void SkipToEnd(ref Utf8JsonReader reader)
    {
        while (reader.Read())
        {
        }
    }

    private static ClientMessageKind? MatchType(ref Utf8JsonReader reader)
    {
        foreach (var (name, kind) in TypeNames)
        {
            if (reader.ValueTextEquals(name))
            {
                return kind;
            }
        }

        return null;
    }

    private static bool TryReadUpdatePosition(ReadOnlySpan<byte> data, out ClientMessage message, [NotNullWhen(false)] out string? error)
    {
        const string type = nameof(ClientMessageKind.UpdatePosition);
        message = new ClientMessage(ClientMessageKind.UpdatePosition);
        if (data.IsEmpty)
        {
            error = ProtocolErrors.DataRequired(type, "client_id, map_id, x and y");
            return false;
        }

        var d = JsonSerializer.Deserialize(data, ProtocolJsonContext.Default.UpdatePositionData);
        error = d.ClientId switch
        {
            null => ProtocolErrors.FieldInvalid(type, "client_id", StringExpectation),
            { Length: 0 } => ProtocolErrors.ClientIdEmpty,
            { Length: > ProtocolErrors.MaxClientIdLength } => ProtocolErrors.ClientIdTooLong,
            _ when !IsAcceptableClientId(d.ClientId) => ProtocolErrors.ClientIdInvalidCharacters,
            _ when d.MapId is null => ProtocolErrors.FieldInvalid(type, "map_id", IntegerExpectation),
            _ when d.X is null => ProtocolErrors.FieldInvalid(type, "x", IntegerExpectation),
            _ when d.Y is null => ProtocolErrors.FieldInvalid(type, "y", IntegerExpectation),
            _ => null,
        };
        if (error is not null)
        {
            return false;
        }

        var partition = new Partition(d.GameId ?? 0, d.Channel ?? 0, d.MapId!.Value);
        message = ClientMessage.UpdatePosition(d.ClientId!, new Location(partition, d.X!.Value, d.Y!.Value));
        return true;
    }

    /// <summary>
    /// Whether <paramref name="clientId"/> is one a client may register (1–128 characters, and as
    /// <see cref="IsAcceptableClientId"/> says): for ids that arrive outside a message, such as a
    /// query parameter.
    /// </summary>
    public static bool IsValidClientId([NotNullWhen(true)] string? clientId) =>
        clientId is { Length: > 0 and <= ProtocolErrors.MaxClientIdLength } && IsAcceptableClientId(clientId);

    /// <summary>
    /// No control or format characters (NUL, zero-width, bidi controls: an id that prints the same
    /// as another's, or not at all), and not only whitespace. Unpaired surrogates cannot arrive:
    /// the reader refuses them.
    /// </summary>
    private static bool IsAcceptableClientId(string clientId)
    {
        var visible = false;
        foreach (var rune in clientId.EnumerateRunes())
        {
            // By rune, so that format characters beyond the BMP (language tags) count too.
            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format)
            {
                return false;
            }

            visible |= !Rune.IsWhiteSpace(rune);
        }

        return visible;
    }

    private static bool TryReadRelay<TData>(
        ReadOnlySpan<byte> data,
        ClientMessageKind kind,
        string payloadField,
        JsonTypeInfo<TData> typeInfo,
        Func<TData, (string? TargetId, RelayPayload Payload)> fields,
        out ClientMessage message,
        [NotNullWhen(false)] out string? error)
    {
        message = new ClientMessage(kind);
        var type = kind.ToString();
        if (data.IsEmpty)
        {
            error = ProtocolErrors.DataRequired(type, $"target_id and {payloadField}");
            return false;
        }

        var (targetId, payload) = fields(JsonSerializer.Deserialize(data, typeInfo)!);
        if (targetId is null)
        {
            error = ProtocolErrors.FieldInvalid(type, "target_id", StringExpectation);
            return false;
        }

        if (payload.IsDefault)
        {
            error = ProtocolErrors.FieldInvalid(type, payloadField, StringExpectation);
            return false;
        }

        message = ClientMessage.Relay(kind, targetId, payload);
        error = null;
        return true;
    }

    private static bool Succeed(ClientMessage parsed, out ClientMessage message, out string? error)
    {
        message = parsed;
        error = null;
        return true;
    }

    private static string DescribeFieldError(ClientMessageKind kind, string? path)
    {
        var type = kind.ToString();
        var field = path is { Length: > 2 } && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null;
        return field switch
        {
            null => ProtocolErrors.DataRequired(type, kind == ClientMessageKind.UpdatePosition ? "client_id, map_id, x and y" : "target_id and a payload"),
            "client_id" or "target_id" or "offer" or "answer" or "candidate" => ProtocolErrors.FieldInvalid(type, field, StringExpectation),
            _ => ProtocolErrors.FieldInvalid(type, field, IntegerExpectation),
        };
    }
}
