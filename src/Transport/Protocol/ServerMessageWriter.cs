using System.Text.Encodings.Web;
using System.Text.Json;

namespace ProxChat.Transport.Protocol;

/// <summary>Writes the <c>{"type": ..., "data": ...}</c> envelope of a server message as UTF-8 JSON.</summary>
public static class ServerMessageWriter
{
    /// <summary>
    /// Payloads are relayed as they came; escaping only what JSON requires keeps them small and
    /// readable. The output is never embedded in HTML, where the default encoder's caution matters.
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private static readonly JsonEncodedText TypeProperty = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText DataProperty = JsonEncodedText.Encode("data");
    private static readonly JsonEncodedText[] TypeNames =
    [
        JsonEncodedText.Encode(nameof(ServerMessageKind.NearbyPeers)),
        JsonEncodedText.Encode(nameof(ServerMessageKind.ReceiveOffer)),
        JsonEncodedText.Encode(nameof(ServerMessageKind.ReceiveAnswer)),
        JsonEncodedText.Encode(nameof(ServerMessageKind.ReceiveIceCandidate)),
        JsonEncodedText.Encode(nameof(ServerMessageKind.Error)),
        JsonEncodedText.Encode(nameof(ServerMessageKind.IceServers)),
    ];

    public static void Write(Utf8JsonWriter writer, in ServerMessage message)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString(TypeProperty, TypeNames[(int)message.Kind]);
        writer.WritePropertyName(DataProperty);
        var context = ProtocolJsonContext.Default;
        switch (message.Kind)
        {
            case ServerMessageKind.NearbyPeers:
                JsonSerializer.Serialize(writer, message.Peers.PeerIds ?? [], context.StringArray);
                break;
            case ServerMessageKind.ReceiveOffer:
                JsonSerializer.Serialize(writer, new ReceiveOfferData(message.SenderId!, message.Payload), context.ReceiveOfferData);
                break;
            case ServerMessageKind.ReceiveAnswer:
                JsonSerializer.Serialize(writer, new ReceiveAnswerData(message.SenderId!, message.Payload), context.ReceiveAnswerData);
                break;
            case ServerMessageKind.ReceiveIceCandidate:
                JsonSerializer.Serialize(writer, new ReceiveIceCandidateData(message.SenderId!, message.Payload), context.ReceiveIceCandidateData);
                break;
            case ServerMessageKind.Error:
                writer.WriteStringValue(message.Text);
                break;
            case ServerMessageKind.IceServers:
                writer.WriteRawValue(message.Payload.Utf8Literal, skipInputValidation: true);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(message), message.Kind, "Unknown server message kind.");
        }

        writer.WriteEndObject();
        writer.Flush();
    }
}
