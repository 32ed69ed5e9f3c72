using System.Text;
using ProxChat.Client.Protocol;
using ProxChat.Client.Transport;

namespace ProxChat.Client.Tests;

public class ReconnectPolicyTests
{
    [Fact]
    public void Delays_double_from_the_initial_one_up_to_the_maximum_and_jitter_takes_at_most_half()
    {
        var policy = new ReconnectPolicy { InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(10) };

        Assert.Equal([1, 2, 4, 8, 10, 10], Enumerable.Range(1, 6).Select(attempt => Math.Round(policy.DelayBefore(attempt, 0.999999).TotalSeconds)));
        Assert.Equal(TimeSpan.FromSeconds(0.5), policy.DelayBefore(1, 0));
        Assert.Equal(TimeSpan.FromSeconds(5), policy.DelayBefore(1000, 0));
    }
}

public class MessageAssemblerTests
{
    [Fact]
    public void Fragments_are_joined_into_one_message_and_the_next_message_starts_empty()
    {
        var assembler = new MessageAssembler(1024);

        Assert.Equal(AssemblyOutcome.Incomplete, assembler.Append("{\"a\":"u8, endOfMessage: false, binary: false));
        Assert.Equal(AssemblyOutcome.Complete, assembler.Append("1}"u8, endOfMessage: true, binary: false));
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(assembler.Message.Span));
        Assert.Equal(AssemblyOutcome.Complete, assembler.Append("[]"u8, endOfMessage: true, binary: false));
        Assert.Equal("[]", Encoding.UTF8.GetString(assembler.Message.Span));
    }

    [Fact]
    public void A_message_past_the_limit_is_dropped_whole_and_binary_ones_are_reported()
    {
        var assembler = new MessageAssembler(8);

        Assert.Equal(AssemblyOutcome.Incomplete, assembler.Append("12345"u8, endOfMessage: false, binary: false));
        Assert.Equal(AssemblyOutcome.Incomplete, assembler.Append("67890"u8, endOfMessage: false, binary: false));
        Assert.Equal(AssemblyOutcome.TooLarge, assembler.Append("x"u8, endOfMessage: true, binary: false));
        Assert.Equal(AssemblyOutcome.Binary, assembler.Append([1, 2], endOfMessage: true, binary: true));
        Assert.Equal(AssemblyOutcome.Complete, assembler.Append("12345678"u8, endOfMessage: true, binary: false));
        Assert.Equal(8, assembler.Message.Length);
    }
}

public class IncomingMessageParserTests
{
    [Theory]
    [InlineData("""{"type":"NearbyPeers","data":[]}""", typeof(NearbyPeersEventArgs))]
    [InlineData("""{"type":"ReceiveAnswer","data":{"sender_id":"b","answer":"a"}}""", typeof(AnswerReceivedEventArgs))]
    [InlineData("""{"type":"ReceiveIceCandidate","data":{"sender_id":"b","candidate":"c","mid":0}}""", typeof(IceCandidateReceivedEventArgs))]
    [InlineData("""{"data":"Client ghost not found","type":"Error"}""", typeof(ProxChatErrorEventArgs))]
    [InlineData("""{"type":"IceServers","data":{"ice_servers":[],"ttl_seconds":60}}""", typeof(IceServersEventArgs))]
    public void Every_server_message_type_is_read(string json, Type expected)
    {
        Assert.IsType(expected, IncomingMessageParser.Parse(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("\"NearbyPeers\"")]
    [InlineData("""{"type":7}""")]
    [InlineData("""{"type":"NearbyPeers"}""")]
    [InlineData("""{"type":"NearbyPeers","data":[null]}""")]
    [InlineData("""{"type":"ReceiveOffer","data":{"sender_id":"b","answer":"a"}}""")]
    [InlineData("""{"type":"ReceiveOffer","data":[1]}""")]
    [InlineData("""{"type":"Error","data":{"message":"m"}}""")]
    [InlineData("""{"type":"IceServers","data":{"ice_servers":[{"urls":[]}],"ttl_seconds":60}}""")]
    [InlineData("""{"type":"IceServers","data":{"ice_servers":[{"urls":["stun:x"]}],"ttl_seconds":1.5}}""")]
    [InlineData("""{"type":"IceServers","data":{"ice_servers":[{"urls":["stun:x"]}],"ttl_seconds":99999999999}}""")]
    [InlineData("""{"type":"NearbyPeers","data":["a"]""")]
    public void Malformed_messages_become_invalid_message_errors_quoting_what_came(string json)
    {
        var error = Assert.IsType<ProxChatErrorEventArgs>(IncomingMessageParser.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Equal(ProxChatErrorKind.InvalidMessage, error.Kind);
        Assert.Equal(json, error.RawMessage);
    }

    [Fact]
    public void A_quoted_message_is_cut_at_4_KiB()
    {
        var json = $$"""{"type":"Future","data":"{{new string('x', 10_000)}}"}""";

        var error = Assert.IsType<ProxChatErrorEventArgs>(IncomingMessageParser.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Equal(ProxChatErrorKind.UnknownMessageType, error.Kind);
        Assert.Equal(4096, error.RawMessage!.Length);
    }
}

public class OptionsTests
{
    [Theory]
    [InlineData("http://host/", "alice")]
    [InlineData("ws://host/", "")]
    [InlineData("ws://host/", "   ")]
    public void Bad_addresses_and_ids_are_refused_up_front(string uri, string id)
    {
        Assert.Throws<ArgumentException>(() => new ProxChatClientOptions(new Uri(uri), id));
    }

    [Fact]
    public void An_id_longer_than_the_server_takes_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new ProxChatClientOptions(new Uri("ws://host/"), new string('a', 129)));
        Assert.Equal(128, new ProxChatClientOptions(new Uri("ws://host/"), new string('a', 128)).ClientId.Length);
    }

    [Fact]
    public void Query_tokens_are_escaped_and_kept_beside_other_parameters()
    {
        Assert.Equal("ws://host/ws?region=eu&access_token=a%2Bb%2Fc%3D", WebSocketConnector.WithQueryParameter(new Uri("ws://host/ws?region=eu"), "access_token", "a+b/c=").AbsoluteUri);
        Assert.Equal("ws://host/?access_token=t", WebSocketConnector.WithQueryParameter(new Uri("ws://host/"), "access_token", "t").AbsoluteUri);
    }
}
