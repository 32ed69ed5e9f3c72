using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ProxChat.Client.Protocol;

/// <summary>Source-generated JSON for the wire messages: no reflection, so it also works where IL is stripped or compiled ahead of time (Unity IL2CPP).</summary>
[JsonSerializable(typeof(Envelope<PositionData>), TypeInfoPropertyName = "PositionEnvelope")]
[JsonSerializable(typeof(Envelope<RelayRequestData>), TypeInfoPropertyName = "RelayRequestEnvelope")]
[JsonSerializable(typeof(Envelope<PeerData>), TypeInfoPropertyName = "PeerEnvelope")]
[JsonSerializable(typeof(BareEnvelope))]
[JsonSerializable(typeof(RelayedData))]
[JsonSerializable(typeof(IceServersData))]
internal sealed partial class ClientJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The options every message is written and read with. Escapes only what JSON requires: SDP and
    /// candidates are full of '+' and other characters the default encoder would spell as \uXXXX,
    /// which only makes the frames bigger; nothing here ends up in HTML. Absent payload properties
    /// are left out rather than written as null, which the server would take for a wrong type.
    /// </summary>
    public static ClientJsonContext Wire { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });
}
