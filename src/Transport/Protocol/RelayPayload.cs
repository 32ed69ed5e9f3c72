using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;

namespace ProxChat.Transport.Protocol;

/// <summary>
/// A relayed offer, answer or candidate, held as the JSON string literal it arrived as (quotes and
/// escapes included). Relays pass through without being decoded to UTF-16 and encoded back, once
/// on the sender's node and again on the target's: an SDP offer is kilobytes, and the decoded
/// strings were about 30% of what a busy node allocated. The value is relayed verbatim; its escaping may
/// differ from what the server would have written, which JSON readers cannot tell apart.
/// </summary>
[JsonConverter(typeof(RelayPayloadConverter))]
public readonly struct RelayPayload : IEquatable<RelayPayload>
{
    // Empty only for the default: a literal has its quotes at least.
    private readonly ReadOnlyMemory<byte> _literal;

    private RelayPayload(ReadOnlyMemory<byte> literal) => _literal = literal;

    /// <summary>True for a missing or null payload.</summary>
    public bool IsDefault => _literal.IsEmpty;

    /// <summary>The payload as a JSON string literal, quotes included.</summary>
    public ReadOnlySpan<byte> Utf8Literal => _literal.Span;

    public static RelayPayload FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var buffer = new ArrayBufferWriter<byte>(value.Length + 2);
        using (var writer = new Utf8JsonWriter(buffer, ServerMessageWriter.WriterOptions))
        {
            writer.WriteStringValue(value);
        }

        return new RelayPayload(buffer.WrittenSpan.ToArray());
    }

    /// <summary>
    /// A JSON value the server wrote itself (an object, not only a string), carried and written
    /// out as it is, so a message written once is copied to the socket without re-serializing.
    /// </summary>
    public static RelayPayload FromUtf8Json(ReadOnlyMemory<byte> utf8Json)
    {
        if (utf8Json.IsEmpty)
        {
            throw new ArgumentException("A JSON value is at least one byte long.", nameof(utf8Json));
        }

        return new RelayPayload(utf8Json);
    }

    /// <summary>
    /// Takes the string token the reader is on, checking what decoding it would check (valid
    /// UTF-8, escapes that pair their surrogates) without decoding it.
    /// </summary>
    internal static RelayPayload Read(ref Utf8JsonReader reader)
    {
        var value = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        Validate(ref reader, value);
        var literal = new byte[value.Length + 2];
        literal[0] = (byte)'"';
        value.CopyTo(literal.AsSpan(1));
        literal[^1] = (byte)'"';
        return new RelayPayload(literal);
    }

    /// <summary>
    /// Takes the string token the reader is on as a slice of <paramref name="source"/>, the single
    /// buffer the reader reads, checked as <see cref="Read"/> checks it. The payload keeps the
    /// buffer, so it must be one nothing writes to again (a message from the cluster bus).
    /// </summary>
    internal static RelayPayload Borrow(ref Utf8JsonReader reader, ReadOnlyMemory<byte> source)
    {
        var value = reader.ValueSpan;
        Validate(ref reader, value);
        return new RelayPayload(source.Slice(checked((int)reader.TokenStartIndex), value.Length + 2));
    }

    private static void Validate(ref Utf8JsonReader reader, ReadOnlySpan<byte> value)
    {
        if (reader.ValueIsEscaped)
        {
            var unescaped = ArrayPool<byte>.Shared.Rent(value.Length);
            try
            {
                reader.CopyString(unescaped);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(unescaped);
            }
        }
        else if (!Utf8.IsValid(value))
        {
            throw new JsonException("The payload is not valid UTF-8.");
        }
    }

    /// <summary>The decoded value (the JSON text, for a value that is not a string); allocates, so it is for tests and diagnostics, not relaying.</summary>
    public override string ToString()
    {
        if (IsDefault)
        {
            return string.Empty;
        }

        if (_literal.Span[0] != (byte)'"')
        {
            return System.Text.Encoding.UTF8.GetString(_literal.Span);
        }

        var reader = new Utf8JsonReader(_literal.Span);
        reader.Read();
        return reader.GetString()!;
    }

    /// <summary>Payloads are equal when their values are, however each was escaped.</summary>
    public bool Equals(RelayPayload other) =>
        IsDefault || other.IsDefault
            ? IsDefault && other.IsDefault
            : Utf8Literal.SequenceEqual(other.Utf8Literal) || ToString() == other.ToString();

    public override bool Equals(object? obj) => obj is RelayPayload other && Equals(other);

    public override int GetHashCode() => IsDefault ? 0 : ToString().GetHashCode(StringComparison.Ordinal);

    public static bool operator ==(RelayPayload left, RelayPayload right) => left.Equals(right);

    public static bool operator !=(RelayPayload left, RelayPayload right) => !left.Equals(right);
}

/// <summary>Reads a payload from a JSON string token and writes it back as the literal it was.</summary>
internal sealed class RelayPayloadConverter : JsonConverter<RelayPayload>
{
    public override bool HandleNull => true;

    public override RelayPayload Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Null => default,
            JsonTokenType.String => RelayPayload.Read(ref reader),
            _ => throw new JsonException("The payload must be a string."),
        };

    public override void Write(Utf8JsonWriter writer, RelayPayload value, JsonSerializerOptions options)
    {
        if (value.IsDefault)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(value.Utf8Literal, skipInputValidation: true);
        }
    }
}
