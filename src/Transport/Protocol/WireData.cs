using System.Text.Json;
using System.Text.Json.Serialization;

namespace ProxChat.Transport.Protocol;

// The `data` payloads as they appear on the wire. Inbound fields are nullable so validation can
// say exactly which one is missing instead of a generic deserialization failure.

internal struct UpdatePositionData
{
    [JsonPropertyName("client_id")]
    public string? ClientId { get; set; }

    [JsonPropertyName("map_id")]
    public int? MapId { get; set; }

    [JsonPropertyName("x")]
    public int? X { get; set; }

    [JsonPropertyName("y")]
    public int? Y { get; set; }

    [JsonPropertyName("channel")]
    public int? Channel { get; set; }

    [JsonPropertyName("game_id")]
    public int? GameId { get; set; }
}

internal struct SendOfferData
{
    [JsonPropertyName("target_id")]
    public string? TargetId { get; set; }

    [JsonPropertyName("offer")]
    public RelayPayload Offer { get; set; }
}

internal struct SendAnswerData
{
    [JsonPropertyName("target_id")]
    public string? TargetId { get; set; }

    [JsonPropertyName("answer")]
    public RelayPayload Answer { get; set; }
}

internal struct SendIceCandidateData
{
    [JsonPropertyName("target_id")]
    public string? TargetId { get; set; }

    [JsonPropertyName("candidate")]
    public RelayPayload Candidate { get; set; }
}

internal readonly record struct ReceiveOfferData(
    [property: JsonPropertyName("sender_id")] string SenderId,
    [property: JsonPropertyName("offer")] RelayPayload Offer);

internal readonly record struct ReceiveAnswerData(
    [property: JsonPropertyName("sender_id")] string SenderId,
    [property: JsonPropertyName("answer")] RelayPayload Answer);

internal readonly record struct ReceiveIceCandidateData(
    [property: JsonPropertyName("sender_id")] string SenderId,
    [property: JsonPropertyName("candidate")] RelayPayload Candidate);

[JsonSourceGenerationOptions(
    GenerationMode = JsonSourceGenerationMode.Default,
    NumberHandling = JsonNumberHandling.Strict,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(UpdatePositionData))]
[JsonSerializable(typeof(SendOfferData))]
[JsonSerializable(typeof(SendAnswerData))]
[JsonSerializable(typeof(SendIceCandidateData))]
[JsonSerializable(typeof(ReceiveOfferData))]
[JsonSerializable(typeof(ReceiveAnswerData))]
[JsonSerializable(typeof(ReceiveIceCandidateData))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ProtocolJsonContext : JsonSerializerContext;
