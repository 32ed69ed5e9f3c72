using System.Text;
using ProxChat.Proximity;
using ProxChat.Transport.Protocol;

namespace ProxChat.Transport.Tests;

public class ClientMessageParserTests
{
    [Fact]
    public void UpdatePosition_with_all_fields_in_any_order()
    {
        var message = Parse("""{"data":{"y":-4,"game_id":7,"x":3,"channel":2,"map_id":9,"client_id":"a","extra":[1]},"type":"UpdatePosition","more":{}}""");

        Assert.Equal(ClientMessage.UpdatePosition("a", new Location(new Partition(7, 2, 9), 3, -4)), message);
    }

    [Fact]
    public void UpdatePosition_defaults_channel_and_game_id_to_zero()
    {
        var message = Parse("""{"type":"UpdatePosition","data":{"client_id":"a","map_id":1,"x":2147483647,"y":-2147483648,"channel":null}}""");

        Assert.Equal(new Location(new Partition(0, 0, 1), int.MaxValue, int.MinValue), message.Location);
    }

    [Theory]
    [InlineData("SendOffer", "offer", ClientMessageKind.SendOffer)]
    [InlineData("SendAnswer", "answer", ClientMessageKind.SendAnswer)]
    [InlineData("SendIceCandidate", "candidate", ClientMessageKind.SendIceCandidate)]
    public void Relays_carry_their_payload_value(string type, string field, ClientMessageKind kind)
    {
        var message = Parse("{\"type\":\"" + type + "\",\"data\":{\"target_id\":\"b\",\"" + field + "\":\"line\\r\\n\\\"q\\\" \\u00fc \\ud834\\udd1e\"}}");

        Assert.Equal(ClientMessage.Relay(kind, "b", RelayPayload.FromString("line\r\n\"q\" ü 𝄞")), message);
        Assert.Equal("line\r\n\"q\" ü 𝄞", message.Payload.ToString());
    }

    [Fact]
    public void A_payload_is_kept_as_the_literal_it_arrived_as()
    {
        var message = Parse("""{"type":"SendOffer","data":{"target_id":"b","offer":"v=0\r\n\u00fc\/ ü"}}""");

        Assert.Equal("\"v=0\\r\\n\\u00fc\\/ ü\"", Encoding.UTF8.GetString(message.Payload.Utf8Literal));
    }

    [Theory]
    [InlineData("\"\\ud800\"")] // an escape that leaves a surrogate unpaired
    [InlineData("\"\\udc00x\"")]
    [InlineData("1")]
    [InlineData("[\"a\"]")]
    [InlineData("null")]
    public void Payloads_that_are_not_strings_are_refused(string offer)
    {
        Assert.False(ClientMessageParser.TryParse(Encoding.UTF8.GetBytes("{\"type\":\"SendOffer\",\"data\":{\"target_id\":\"b\",\"offer\":" + offer + "}}"), out _, out var error));
        Assert.Equal("SendOffer: 'offer' is required and must be a string.", error);
    }

    [Fact]
    public void Payloads_that_are_not_UTF8_are_refused()
    {
        byte[] json = [.. "{\"type\":\"SendOffer\",\"data\":{\"target_id\":\"b\",\"offer\":\"a"u8, 0xC3, 0x28, .. "\"}}"u8];

        Assert.False(ClientMessageParser.TryParse(json, out _, out var error));
        Assert.Equal("SendOffer: 'offer' is required and must be a string.", error);
    }

    [Theory]
    [InlineData("""{"type":"RequestPeerRefresh"}""", ClientMessageKind.RequestPeerRefresh)]
    [InlineData("""{"type":"RequestPeerRefresh","data":null}""", ClientMessageKind.RequestPeerRefresh)]
    [InlineData("""{"type":"Disconnect","data":{"whatever":1}}""", ClientMessageKind.Disconnect)]
    [InlineData(""" {"type":"Disconnect"} """, ClientMessageKind.Disconnect)]
    public void Messages_without_payload_ignore_data(string json, ClientMessageKind kind) =>
        Assert.Equal(kind, Parse(json).Kind);

    [Theory]
    [InlineData("""{"type":"SendOffer","data":{"target_id":"b"}}""", ClientMessageKind.SendOffer)]
    [InlineData("""{"type":"UpdatePosition","data":{"x":"1"}}""", ClientMessageKind.UpdatePosition)]
    [InlineData("""{"type":"Nope"}""", ClientMessageKind.None)]
    [InlineData("""not json""", ClientMessageKind.None)]
    public void A_failure_still_names_the_recognised_type(string json, ClientMessageKind kind)
    {
        Assert.False(ClientMessageParser.TryParse(Encoding.UTF8.GetBytes(json), out var message, out _));
        Assert.Equal(kind, message.Kind);
    }

    [Fact]
    public void Unknown_type_names_are_truncated_in_the_error()
    {
        var longName = new string('x', 10_000);
        Assert.False(ClientMessageParser.TryParse(Encoding.UTF8.GetBytes("{\"type\":\"" + longName + "\"}"), out _, out var error));
        Assert.True(error.Length < 100, error);
    }

    private static ClientMessage Parse(string json)
    {
        Assert.True(ClientMessageParser.TryParse(Encoding.UTF8.GetBytes(json), out var message, out var error), error);
        return message;
    }
}
