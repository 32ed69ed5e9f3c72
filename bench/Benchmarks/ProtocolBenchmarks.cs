using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ProxChat.Proximity;
using ProxChat.Transport.Protocol;

namespace ProxChat.Benchmarks;

/// <summary>Parsing and writing the messages on the hot paths; allocations matter as much as time.</summary>
[MemoryDiagnoser]
public class ProtocolBenchmarks
{
    private static readonly byte[] UpdatePosition =
        Encoding.UTF8.GetBytes("""{"type":"UpdatePosition","data":{"client_id":"player-4711","map_id":3,"x":1250,"y":-380,"channel":0,"game_id":1}}""");

    private static readonly byte[] Offer = Encoding.UTF8.GetBytes(
        "{\"type\":\"SendOffer\",\"data\":{\"target_id\":\"player-4712\",\"offer\":\""
        + string.Concat(Enumerable.Repeat("a=candidate:1 1 udp 2122260223 192.168.1.20 50000 typ host\\r\\n", 40))
        + "\"}}");

    private static readonly ServerMessage Peers = ServerMessage.NearbyPeers(new PeerSnapshot(["player-1", "player-2", "player-3", "player-4", "player-5"], 9));
    private static readonly ServerMessage Relay = ServerMessage.RelayOf(ClientMessageKind.SendOffer, "player-4711", RelayPayload.FromString(new string('a', 2400)));

    private readonly PooledBufferWriter _buffer = new();
    private Utf8JsonWriter _writer = null!;

    [GlobalSetup]
    public void Setup() => _writer = new Utf8JsonWriter(_buffer, ServerMessageWriter.WriterOptions);

    [Benchmark]
    public bool ParseUpdatePosition() => ClientMessageParser.TryParse(UpdatePosition, out _, out _);

    [Benchmark]
    public bool ParseOffer2KiB() => ClientMessageParser.TryParse(Offer, out _, out _);

    [Benchmark]
    public int WriteNearbyPeers() => Write(Peers);

    [Benchmark]
    public int WriteReceiveOffer2KiB() => Write(Relay);

    private int Write(in ServerMessage message)
    {
        ServerMessageWriter.Write(_writer, message);
        var written = _buffer.WrittenCount;
        _writer.Reset();
        _buffer.Reset();
        return written;
    }
}
