using System.Text;
using System.Text.Json;
using ProxChat.Proximity;
using ProxChat.Transport.Cluster;
using ProxChat.Transport.Protocol;

namespace ProxChat.Transport.Tests.Cluster;

public class BusMessageTests
{
    [Fact]
    public void A_relay_crosses_the_bus_as_the_literal_it_arrived_as()
    {
        Assert.True(ClientMessageParser.TryParse("""{"type":"SendOffer","data":{"target_id":"b","offer":"v=0\r\n\u00fc"}}"""u8, out var request, out var error), error);

        var bytes = BusMessage.Serialize("b", ServerMessage.RelayOf(request.Kind, "a", request.Payload, onLink: true));
        var received = BusMessage.Deserialize(bytes)!.ToServerMessage();

        Assert.Contains("\"t\":\"v=0\\r\\n\\u00fc\"", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.Equal(ServerMessageKind.ReceiveOffer, received.Kind);
        Assert.Equal("a", received.SenderId);
        Assert.True(received.OnLink);
        Assert.True(request.Payload.Utf8Literal.SequenceEqual(received.Payload.Utf8Literal));

        // Read in place: the payload is the bus message's own bytes, not a copy of them.
        Assert.True(received.Payload.Utf8Literal.Overlaps(bytes));
    }

    [Fact]
    public void A_relay_from_a_node_that_wrote_the_payload_as_a_plain_string_still_arrives()
    {
        var received = BusMessage.Deserialize("""{"k":1,"c":"b","t":"v=0\r\n","s":"a","p":null,"v":0,"r":null}"""u8.ToArray())!.ToServerMessage();

        Assert.Equal(ServerMessageKind.ReceiveOffer, received.Kind);
        Assert.Equal("v=0\r\n", received.Payload.ToString());

        // Such a node does not say whether it relayed on a link: the answer waits for the set.
        Assert.False(received.OnLink);
    }

    [Fact]
    public void Errors_and_peer_sets_keep_their_shape()
    {
        var error = BusMessage.Deserialize(BusMessage.Serialize("b", ServerMessage.Error("Client x not found")))!.ToServerMessage();
        var peers = BusMessage.Deserialize(BusMessage.Serialize("b", ServerMessage.NearbyPeers(new PeerSnapshot(["a", "c"], 7))))!.ToServerMessage();

        Assert.Equal(ServerMessage.Error("Client x not found"), error);
        Assert.Equal(["a", "c"], peers.Peers.PeerIds);
        Assert.Equal(7, peers.Peers.Version);
        Assert.True(peers.Payload.IsDefault);
    }

    [Fact]
    public void A_takeover_keeps_the_connection_it_replaces()
    {
        var takeover = BusMessage.Deserialize(BusMessage.Takeover("b", 42))!;

        Assert.Equal("b", takeover.ClientId);
        Assert.Equal(42, takeover.ReplacedConnection);
    }

    [Fact]
    public void Properties_of_a_later_version_are_skipped()
    {
        var received = BusMessage.Deserialize("""{"k":1,"x":{"y":[1,{"z":null}]},"c":"b","t":"v=0","s":"a","w":"?","v":3}"""u8.ToArray())!.ToServerMessage();

        Assert.Equal(ServerMessageKind.ReceiveOffer, received.Kind);
        Assert.Equal("a", received.SenderId);
        Assert.Equal("v=0", received.Payload.ToString());
        Assert.Equal(3, received.Peers.Version);
    }

    [Theory]
    [InlineData("""[]""")]
    [InlineData("""{"k":"one","c":"b"}""")]
    [InlineData("""{"k":99999999999,"c":"b"}""")]
    [InlineData("""{"k":1,"c":null}""")]
    [InlineData("""{"k":1,"c":"b","t":5}""")]
    [InlineData("""{"k":1,"c":"b","t":"\ud800"}""")]
    [InlineData("""{"k":0,"c":"b","p":"a"}""")]
    [InlineData("""{"k":0,"c":"b","p":[1]}""")]
    [InlineData("""{"k":1,"c":"b"} {}""")]
    [InlineData("""{"k":1,"c":""")]
    public void A_malformed_message_is_a_json_error(string json)
    {
        // The bus handler logs and drops exactly these; any other exception would end its subscription.
        Assert.ThrowsAny<JsonException>(() => BusMessage.Deserialize(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void A_payload_that_is_not_utf8_is_a_json_error()
    {
        byte[] json = [.. """{"k":1,"c":"b","t":"""u8, (byte)'"', 0xFF, (byte)'"', (byte)'}'];

        Assert.ThrowsAny<JsonException>(() => BusMessage.Deserialize(json));
    }
}
