using System.Text.Json.Serialization;

namespace ProxChat.Client.Protocol;

/// <summary>The <c>{"type": ..., "data": ...}</c> envelope of a client message with a payload.</summary>
internal sealed class Envelope<TData>
{
    public Envelope(string type, TData data)
    {
        Type = type;
        Data = data;
    }

    [JsonPropertyName("type")]
    public string Type { get; }

    [JsonPropertyName("data")]
    public TData Data { get; }
}

/// <summary>The envelope of a client message without a payload.</summary>
internal sealed class BareEnvelope
{
    public BareEnvelope(string type) => Type = type;

    [JsonPropertyName("type")]
    public string Type { get; }
}

internal sealed class PositionData
{
    [JsonPropertyName("client_id")]
    public string ClientId { get; set; } = "";

    [JsonPropertyName("map_id")]
    public int MapId { get; set; }

    [JsonPropertyName("x")]
    public int X { get; set; }

    [JsonPropertyName("y")]
    public int Y { get; set; }

    [JsonPropertyName("channel")]
    public int Channel { get; set; }

    [JsonPropertyName("game_id")]
    public int GameId { get; set; }
}

/// <summary>SendOffer, SendAnswer, SendIceCandidate: exactly one of the payload properties is set.</summary>
internal sealed class RelayRequestData
{
    [JsonPropertyName("target_id")]
    public string TargetId { get; set; } = "";

    [JsonPropertyName("offer")]
    public string? Offer { get; set; }

    [JsonPropertyName("answer")]
    public string? Answer { get; set; }

    [JsonPropertyName("candidate")]
    public string? Candidate { get; set; }
}

internal sealed class PeerData
{
    [JsonPropertyName("peer_id")]
    public string PeerId { get; set; } = "";
}

/// <summary>ReceiveOffer, ReceiveAnswer, ReceiveIceCandidate: the type says which payload property must be there.</summary>
internal sealed class RelayedData
{
    [JsonPropertyName("sender_id")]
    public string? SenderId { get; set; }

    [JsonPropertyName("offer")]
    public string? Offer { get; set; }

    [JsonPropertyName("answer")]
    public string? Answer { get; set; }

    [JsonPropertyName("candidate")]
    public string? Candidate { get; set; }
}

internal sealed class IceServersData
{
    [JsonPropertyName("ice_servers")]
    public List<IceServerData?>? IceServers { get; set; }

    [JsonPropertyName("ttl_seconds")]
    public int TtlSeconds { get; set; }
}

internal sealed class IceServerData
{
    [JsonPropertyName("urls")]
    public List<string?>? Urls { get; set; }

    [JsonPropertyName("username")]
    public string? Username { get; set; }

    [JsonPropertyName("credential")]
    public string? Credential { get; set; }
}
