using System.Text.Json;

namespace ProxChat.Load;

internal enum ReceivedKind
{
    Other,
    NearbyPeers,
    Open,
    Offer,
    Answer,
    Error,
}

/// <summary>
/// The parts of a server message the load client acts on. <see cref="Sender"/> and
/// <see cref="Payload"/> point into the receive buffer, so they are valid only until the next receive.
/// </summary>
internal readonly record struct ReceivedMessage(ReceivedKind Kind, Memory<byte> Sender, Memory<byte> Payload, string[]? Peers)
{
    public static ReceivedMessage Read(Memory<byte> message, bool peerJs)
    {
        var reader = new Utf8JsonReader(message.Span);
        var kind = ReceivedKind.Other;
        Memory<byte> sender = default, payload = default;
        List<string>? peers = null;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                peers = [];
                while (reader.Read() && reader.TokenType == JsonTokenType.String)
                {
                    peers.Add(reader.GetString()!);
                }

                continue;
            }

            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                kind = KindOf(reader);
            }
            else if (reader.ValueTextEquals(peerJs ? "src"u8 : "sender_id"u8))
            {
                reader.Read();
                sender = StringAt(message, reader);
            }
            else if (reader.ValueTextEquals("payload"u8) || reader.ValueTextEquals("offer"u8) || reader.ValueTextEquals("answer"u8)
                || reader.ValueTextEquals("data"u8) || reader.ValueTextEquals("msg"u8))
            {
                // A string value is the payload (or an Error's text: ProxChat's data, PeerJS's
                // payload.msg); an object or array is left for the loop to walk into.
                var value = reader;
                value.Read();
                if (value.TokenType == JsonTokenType.String)
                {
                    reader = value;
                    payload = StringAt(message, reader);
                }
            }
        }

        return new ReceivedMessage(kind, sender, payload, kind == ReceivedKind.NearbyPeers ? [.. peers ?? []] : null);
    }

    private static ReceivedKind KindOf(Utf8JsonReader reader) => reader switch
    {
        _ when reader.ValueTextEquals("NearbyPeers"u8) => ReceivedKind.NearbyPeers,
        _ when reader.ValueTextEquals("OPEN"u8) => ReceivedKind.Open,
        _ when reader.ValueTextEquals("ReceiveOffer"u8) || reader.ValueTextEquals("OFFER"u8) => ReceivedKind.Offer,
        _ when reader.ValueTextEquals("ReceiveAnswer"u8) || reader.ValueTextEquals("ANSWER"u8) => ReceivedKind.Answer,
        _ when reader.ValueTextEquals("Error"u8) || reader.ValueTextEquals("ERROR"u8)
            || reader.ValueTextEquals("ID-TAKEN"u8) || reader.ValueTextEquals("INVALID-KEY"u8) => ReceivedKind.Error,
        _ => ReceivedKind.Other,
    };

    /// <summary>The raw bytes of the current string token; the load client's own strings never need unescaping.</summary>
    private static Memory<byte> StringAt(Memory<byte> message, Utf8JsonReader reader) =>
        reader.ValueIsEscaped
            ? reader.GetString() is { } text ? System.Text.Encoding.UTF8.GetBytes(text) : default
            : message.Slice((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
}
