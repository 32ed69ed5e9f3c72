using System.Text.Json;

namespace ProxChat.Load;

/// <summary>The client messages the load client sends, in ProxChat's or PeerJS's shape.</summary>
internal static class MessageWriter
{
    public static void WritePosition(Utf8JsonWriter writer, string clientId, int mapId, int x, int y)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, "UpdatePosition"u8);
        writer.WriteStartObject("data"u8);
        writer.WriteString("client_id"u8, clientId);
        writer.WriteNumber("map_id"u8, mapId);
        writer.WriteNumber("x"u8, x);
        writer.WriteNumber("y"u8, y);
        writer.WriteNumber("channel"u8, 0);
        writer.WriteNumber("game_id"u8, 0);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public static void WriteRelay(Utf8JsonWriter writer, bool peerJs, bool isOffer, ReadOnlySpan<byte> target, ReadOnlySpan<byte> payload)
    {
        writer.WriteStartObject();
        if (peerJs)
        {
            writer.WriteString("type"u8, isOffer ? "OFFER"u8 : "ANSWER"u8);
            writer.WriteString("dst"u8, target);
            writer.WriteString("payload"u8, payload);
        }
        else
        {
            writer.WriteString("type"u8, isOffer ? "SendOffer"u8 : "SendAnswer"u8);
            writer.WriteStartObject("data"u8);
            writer.WriteString("target_id"u8, target);
            writer.WriteString(isOffer ? "offer"u8 : "answer"u8, payload);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>Fills the start of <paramref name="payload"/> with the current timestamp and '|'; the rest is padding.</summary>
    public static void StampOffer(Span<byte> payload)
    {
        System.Buffers.Text.Utf8Formatter.TryFormat(System.Diagnostics.Stopwatch.GetTimestamp(), payload, out var written);
        payload[written] = (byte)'|';
    }

    /// <summary>The offer's timestamp, echoed back in the answer.</summary>
    public static bool TryReadStamp(ReadOnlySpan<byte> payload, out long timestamp) =>
        System.Buffers.Text.Utf8Parser.TryParse(payload[..Math.Max(0, payload.IndexOf((byte)'|'))], out timestamp, out _);
}
