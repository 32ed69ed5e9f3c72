using System.Text.Json.Serialization;

namespace ProxChat.Transport.Ice;

/// <summary>One entry of <c>ice_servers</c>, shaped as WebRTC's <c>RTCIceServer</c>; STUN entries have no credentials.</summary>
internal sealed record IceServer(
    [property: JsonPropertyName("urls")] string[] Urls,
    [property: JsonPropertyName("username")] string? Username = null,
    [property: JsonPropertyName("credential")] string? Credential = null);

/// <summary>The <c>data</c> of IceServers, and the body of <c>GET /ice-servers</c>.</summary>
internal sealed record IceServersData(
    [property: JsonPropertyName("ice_servers")] IceServer[] IceServers,
    [property: JsonPropertyName("ttl_seconds")] int TtlSeconds);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IceServersData))]
internal sealed partial class IceJsonContext : JsonSerializerContext;
