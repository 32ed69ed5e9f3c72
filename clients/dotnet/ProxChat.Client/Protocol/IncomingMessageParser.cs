using System.Text;
using System.Text.Json;

namespace ProxChat.Client.Protocol;

/// <summary>
/// Turns one server message into the event it stands for, or into a <see cref="ProxChatErrorEventArgs"/>
/// that says what was wrong with it. Never throws: whatever a server (or something posing as one)
/// sends, the client reports it and carries on.
/// </summary>
internal static class IncomingMessageParser
{
    /// <summary>How much of an offending message an error event quotes.</summary>
    public const int MaxQuotedBytes = 4096;

    public static EventArgs Parse(ReadOnlyMemory<byte> utf8Json)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8Json);
            return Interpret(document.RootElement, utf8Json);
        }
        catch (Exception exception)
        {
            // Whatever the input, nothing may escape into the receive loop: an exception there would
            // end the connection over one bad message.
            return Invalid($"Not a valid message: {exception.Message}", utf8Json, exception);
        }
    }

    public static string Quote(ReadOnlyMemory<byte> utf8)
    {
        var quoted = utf8.Length > MaxQuotedBytes ? utf8.Slice(0, MaxQuotedBytes) : utf8;
        return Encoding.UTF8.GetString(quoted.Span);
    }

    private static EventArgs Interpret(JsonElement root, ReadOnlyMemory<byte> utf8Json)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Invalid("A message must be a JSON object.", utf8Json);
        }

        if (!root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            return Invalid("A message must have a string \"type\".", utf8Json);
        }

        var type = typeElement.GetString()!;
        root.TryGetProperty("data", out var data);
        var parsed = type switch
        {
            "NearbyPeers" => NearbyPeers(data),
            "ReceiveOffer" => Relayed(data) is { SenderId: { } sender, Offer: { } offer } ? new OfferReceivedEventArgs(sender, offer) : null,
            "ReceiveAnswer" => Relayed(data) is { SenderId: { } sender, Answer: { } answer } ? new AnswerReceivedEventArgs(sender, answer) : null,
            "ReceiveIceCandidate" => Relayed(data) is { SenderId: { } sender, Candidate: { } candidate } ? new IceCandidateReceivedEventArgs(sender, candidate) : null,
            "Error" => data.ValueKind == JsonValueKind.String ? new ProxChatErrorEventArgs(ProxChatErrorKind.Server, data.GetString()!) : null,
            "IceServers" => IceServers(data),
            _ => (EventArgs)new ProxChatErrorEventArgs(ProxChatErrorKind.UnknownMessageType, $"Unknown message type \"{type}\" (from a newer server?); ignored.", Quote(utf8Json)),
        };
        return parsed ?? Invalid($"The data of a {type} message is missing or malformed.", utf8Json);
    }

    private static NearbyPeersEventArgs? NearbyPeers(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var peers = new List<string>(data.GetArrayLength());
        foreach (var peer in data.EnumerateArray())
        {
            if (peer.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            peers.Add(peer.GetString()!);
        }

        return new NearbyPeersEventArgs(peers.AsReadOnly());
    }

    private static RelayedData? Relayed(JsonElement data) =>
        data.ValueKind == JsonValueKind.Object ? data.Deserialize(ClientJsonContext.Wire.RelayedData) : null;

    private static IceServersEventArgs? IceServers(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Object || data.Deserialize(ClientJsonContext.Wire.IceServersData) is not { IceServers: { } servers } parsed)
        {
            return null;
        }

        var result = new List<IceServer>(servers.Count);
        foreach (var server in servers)
        {
            if (server?.Urls is not { Count: > 0 } urls || urls.Contains(null))
            {
                return null;
            }

            result.Add(new IceServer(urls.Select(url => url!).ToList().AsReadOnly(), server.Username, server.Credential));
        }

        return new IceServersEventArgs(result.AsReadOnly(), parsed.TtlSeconds);
    }

    private static ProxChatErrorEventArgs Invalid(string message, ReadOnlyMemory<byte> utf8Json, Exception? exception = null) =>
        new(ProxChatErrorKind.InvalidMessage, message, Quote(utf8Json), exception);
}
