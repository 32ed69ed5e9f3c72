using System.Text;
using System.Text.Json;
using ProxChat.Proximity;
using ProxChat.Transport.Protocol;

namespace ProxChat.Transport.Tests;

public class ServerMessageWriterTests
{
    [Fact]
    public void NearbyPeers_is_a_bare_array()
    {
        Assert.Equal("""{"type":"NearbyPeers","data":["a","b"]}""", Write(ServerMessage.NearbyPeers(new PeerSnapshot(["a", "b"], 3))));
        Assert.Equal("""{"type":"NearbyPeers","data":[]}""", Write(ServerMessage.NearbyPeers(PeerSnapshot.Empty)));
    }

    [Theory]
    [InlineData(ClientMessageKind.SendOffer, """{"type":"ReceiveOffer","data":{"sender_id":"a","offer":"p"}}""")]
    [InlineData(ClientMessageKind.SendAnswer, """{"type":"ReceiveAnswer","data":{"sender_id":"a","answer":"p"}}""")]
    [InlineData(ClientMessageKind.SendIceCandidate, """{"type":"ReceiveIceCandidate","data":{"sender_id":"a","candidate":"p"}}""")]
    public void Relays_name_the_sender_and_the_payload(ClientMessageKind request, string expected) =>
        Assert.Equal(expected, Write(ServerMessage.RelayOf(request, "a", RelayPayload.FromString("p"))));

    [Fact]
    public void Error_is_a_bare_string()
    {
        Assert.Equal("""{"type":"Error","data":"Client x not found"}""", Write(ServerMessage.Error("Client x not found")));
    }

    [Fact]
    public void Payloads_survive_a_round_trip_exactly()
    {
        const string payload = "v=0\r\n\"q\" \\ </script> & ü 𝄞 \u0000 \u2028";
        var json = Write(ServerMessage.RelayOf(ClientMessageKind.SendOffer, "a", RelayPayload.FromString(payload)));

        using var document = JsonDocument.Parse(json);
        Assert.Equal(payload, document.RootElement.GetProperty("data").GetProperty("offer").GetString());
        Assert.Contains("ü", json, StringComparison.Ordinal); // not needlessly escaped (characters outside the BMP still are)
    }

    [Fact]
    public void A_received_payload_is_relayed_byte_for_byte()
    {
        Assert.True(ClientMessageParser.TryParse("""{"type":"SendAnswer","data":{"target_id":"b","answer":"\u00fc\/\r\n 𝄞"}}"""u8, out var request, out var error), error);

        var json = Write(ServerMessage.RelayOf(request.Kind, "a", request.Payload));

        Assert.Equal("""{"type":"ReceiveAnswer","data":{"sender_id":"a","answer":"\u00fc\/\r\n 𝄞"}}""", json);
    }

    private static string Write(ServerMessage message)
    {
        using var buffer = new PooledBufferWriter();
        using (var writer = new Utf8JsonWriter(buffer, ServerMessageWriter.WriterOptions))
        {
            ServerMessageWriter.Write(writer, message);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
