using System.Text.RegularExpressions;

namespace ProxChat.Host.Tests;

/// <summary>
/// docs/protocol.schema.json against docs/protocol.md's examples, and against messages it must
/// refuse (so that the check every integration test makes of the server's messages can fail).
/// </summary>
public sealed partial class ProtocolSchemaTests
{
    public static TheoryData<string> DocumentedExamples()
    {
        var markdown = File.ReadAllText(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(ProtocolSchema.Path)!, "protocol.md"));
        var data = new TheoryData<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var block in JsonBlock().Matches(markdown).Select(match => match.Groups["body"].Value))
        {
            // A block holds one message, or one message a line (a conversation).
            foreach (var line in block.TrimStart().StartsWith("{\n", StringComparison.Ordinal) ? [block] : block.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                // Each example once: xunit would skip a repeated case, and a skip is not a pass.
                if (seen.Add(line.Trim()))
                {
                    data.Add(line.Trim());
                }
            }
        }

        return data;
    }

    [Fact]
    public void The_protocol_document_has_examples() => Assert.True(DocumentedExamples().Count >= 20);

    [Theory]
    [MemberData(nameof(DocumentedExamples))]
    public void Every_example_in_the_protocol_document_is_a_valid_message(string example) =>
        Assert.Null(ProtocolSchema.AnyMessageViolation(example));

    [Theory]
    [InlineData("""{"type":"NearbyPeers","data":["a","b"]}""")]
    [InlineData("""{"type":"NearbyPeers","data":[]}""")]
    [InlineData("""{"type":"ReceiveOffer","data":{"sender_id":"a","offer":"v=0\r\n"}}""")]
    [InlineData("""{"type":"ReceiveAnswer","data":{"sender_id":"a","answer":""}}""")]
    [InlineData("""{"type":"ReceiveIceCandidate","data":{"sender_id":"a","candidate":"{\"candidate\":\"\"}"}}""")]
    [InlineData("""{"type":"Error","data":"Client must send UpdatePosition first."}""")]
    [InlineData("""{"type":"IceServers","data":{"ice_servers":[{"urls":["turn:t:3478"],"username":"1700000000:a","credential":"c="},{"urls":["stun:s"]}],"ttl_seconds":60}}""")]
    [InlineData("""{"type":"IceServers","data":{"ice_servers":[],"ttl_seconds":3600}}""")]
    public void The_server_messages_are_valid(string message) => Assert.Null(ProtocolSchema.ServerMessageViolation(message));

    [Theory]
    [InlineData("""{"type":"NearbyPeers","data":null}""")]
    [InlineData("""{"type":"NearbyPeers","data":["a","a"]}""")]
    [InlineData("""{"type":"NearbyPeers","data":[""]}""")]
    [InlineData("""{"type":"NearbyPeers","data":["a"],"extra":1}""")]
    [InlineData("""{"type":"ReceiveOffer","data":{"sender_id":"a"}}""")]
    [InlineData("""{"type":"ReceiveOffer","data":{"sender_id":"a","offer":{"sdp":"v=0"}}}""")]
    [InlineData("""{"type":"ReceiveAnswer","data":{"sender_id":"a","answer":"x","target_id":"b"}}""")]
    [InlineData("""{"type":"Error","data":{"message":"x"}}""")]
    [InlineData("""{"type":"Error","data":""}""")]
    [InlineData("""{"type":"UpdatePosition","data":{"client_id":"a","map_id":1,"x":0,"y":0}}""")]
    [InlineData("""{"type":"IceServers","data":{"ice_servers":[{"urls":["turn:t:3478"],"username":"1700000000:a"}],"ttl_seconds":60}}""")]
    [InlineData("""{"type":"IceServers","data":{"ice_servers":[{"urls":["turn:t:3478"],"username":"alice","credential":"c="}],"ttl_seconds":60}}""")]
    [InlineData("""{"type":"IceServers","data":{"ice_servers":[{"urls":["http://t"]}],"ttl_seconds":60}}""")]
    [InlineData("""{"type":"IceServers","data":{"ice_servers":[]}}""")]
    [InlineData("""{"type":"Welcome","data":null}""")]
    [InlineData("""{"data":[]}""")]
    public void Anything_else_from_the_server_is_not(string message) => Assert.NotNull(ProtocolSchema.ServerMessageViolation(message));

    [Theory]
    [InlineData("""{"type":"UpdatePosition","data":{"client_id":"alice","map_id":1,"x":-5,"y":2147483647}}""")]
    [InlineData("""{"type":"UpdatePosition","data":{"client_id":"alice","map_id":1,"x":0,"y":0,"channel":null,"game_id":7}}""")]
    [InlineData("""{"type":"SendOffer","data":{"target_id":"bob","offer":"v=0"}}""")]
    [InlineData("""{"type":"RequestPeerRefresh","data":null}""")]
    [InlineData("""{"type":"Disconnect"}""")]
    [InlineData("""{"type":"RequestIceServers"}""")]
    public void The_client_messages_are_valid(string message) => Assert.Null(ProtocolSchema.ClientMessageViolation(message));

    [Theory]
    [InlineData("""{"type":"UpdatePosition","data":{"client_id":"alice","map_id":1,"x":0}}""")]
    [InlineData("""{"type":"UpdatePosition","data":{"client_id":"alice","map_id":1,"x":0.5,"y":0}}""")]
    [InlineData("""{"type":"UpdatePosition","data":{"client_id":"alice","map_id":1,"x":2147483648,"y":0}}""")]
    [InlineData("""{"type":"UpdatePosition","data":{"client_id":"","map_id":1,"x":0,"y":0}}""")]
    [InlineData("""{"type":"UpdatePosition","data":{"client_id":"   ","map_id":1,"x":0,"y":0}}""")]
    [InlineData("""{"type":"UpdatePosition","data":{"client_id":"a\u0000b","map_id":1,"x":0,"y":0}}""")]
    [InlineData("""{"type":"UpdatePosition","data":{"client_id":"a\u200Bb","map_id":1,"x":0,"y":0}}""")]
    [InlineData("""{"type":"SendOffer","data":{"target_id":"bob","offer":{"type":"offer","sdp":"v=0"}}}""")]
    [InlineData("""{"type":"SendIceCandidate","data":{"target_id":"bob"}}""")]
    [InlineData("""{"type":"RequestPeerRefresh","data":{"now":true}}""")]
    [InlineData("""{"type":"NearbyPeers","data":[]}""")]
    public void Malformed_client_messages_are_not(string message) => Assert.NotNull(ProtocolSchema.ClientMessageViolation(message));

    [Fact]
    public void A_client_id_of_128_characters_is_valid_and_one_of_129_is_not()
    {
        static string Register(int length) => $$$"""{"type":"UpdatePosition","data":{"client_id":"{{{new string('a', length)}}}","map_id":1,"x":0,"y":0}}""";

        Assert.Null(ProtocolSchema.ClientMessageViolation(Register(128)));
        Assert.NotNull(ProtocolSchema.ClientMessageViolation(Register(129)));
    }

    [GeneratedRegex(@"```json\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
