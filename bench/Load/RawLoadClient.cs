using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ProxChat.Load;

/// <summary>
/// One load client on a bare TCP socket that speaks just enough RFC 6455 for the benchmark. It
/// handles every complete frame a read returns and sends all the replies in one write, so it costs
/// far less CPU per message than a server does: on a machine where client and server share two
/// cores, the server under test, not the client, is what runs out.
/// </summary>
/// <remarks>
/// Ping-pong: a fixed pair relays offers and answers as fast as the server allows. Walk: the
/// client random-walks, offers to each newly introduced peer (the smaller id offers, as real
/// clients do) and to a random peer on some steps, and answers every offer. Offers carry the send
/// timestamp and answers echo it, so the offerer measures the relay round trip.
/// </remarks>
internal sealed class RawLoadClient : IDisposable
{
    private const byte OpText = 0x1, OpClose = 0x8, OpPing = 0x9, OpPong = 0xA;

    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly ArrayBufferWriter<byte> _json = new(4096);
    private readonly ArrayBufferWriter<byte> _outgoing = new(64 * 1024);
    private readonly Utf8JsonWriter _writer;
    private readonly byte[] _offerPayload;
    private readonly string _id;
    private readonly string? _partner;
    private readonly HashSet<string> _peers = new(StringComparer.Ordinal);
    private readonly Random _random;
    private readonly LoadOptions _options;
    private readonly Metrics _metrics;
    private readonly bool _peerJs;
    private readonly int _mapId;
    private readonly Uri _url;
    private readonly int _node;

    // Held while frames are written and flushed: the receive loop, the walk and StartAsync all send.
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private byte[] _incoming = new byte[16 * 1024];
    private int _incomingCount;
    private int _x;
    private int _y;

    /// <param name="partner">The ping-pong partner; null for a walker.</param>
    public RawLoadClient(string id, string? partner, int mapId, int x, int y, Uri url, LoadOptions options, Metrics metrics, Random random)
    {
        _id = id;
        _url = url;
        _mapId = mapId;
        _x = x;
        _y = y;
        _partner = partner;
        _random = random;
        _options = options;
        _metrics = metrics;
        _node = NodeOf(Encoding.UTF8.GetBytes(id));
        _peerJs = options.Protocol == "peerjs";
        _writer = new Utf8JsonWriter(_json, new JsonWriterOptions { SkipValidation = true });
        _offerPayload = new byte[Math.Max(options.PayloadBytes, 24)];
        _offerPayload.AsSpan().Fill((byte)'p');
    }

    public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Connects, upgrades, registers (ProxChat) and then runs the receive loop until cancelled.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await _socket.ConnectAsync(_url.Host, _url.Port, cancellationToken);
        var path = _peerJs ? $"{_url.AbsolutePath}peerjs?key=peerjs&id={_id}&token={_id}" : _url.PathAndQuery;
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET {path} HTTP/1.1\r\nHost: {_url.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await _socket.SendAsync(Encoding.ASCII.GetBytes(request), cancellationToken);
        await ReadHandshakeAsync(cancellationToken);
        if (!_peerJs)
        {
            WritePosition();
            await FlushAsync(cancellationToken);
        }

        _ = ReceiveLoopAsync(cancellationToken);
    }

    /// <summary>Ping-pong: puts the window's offers in flight; each answer sends the next.</summary>
    public async Task StartPingPongAsync(CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            for (var i = 0; i < _options.Window; i++)
            {
                WriteOffer(_partner!);
            }

            await FlushAsync(cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Walk: a step of up to 3 units on each axis per period, and now and then an offer.</summary>
    public async Task WalkAsync(CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromSeconds(1 / _options.Rate);
        await Task.Delay(period * _random.NextDouble(), cancellationToken);
        using var timer = new PeriodicTimer(period);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            await _sendLock.WaitAsync(cancellationToken);
            try
            {
                _x += _random.Next(-3, 4);
                _y += _random.Next(-3, 4);
                _metrics.Update();
                WritePosition();
                if (_peers.Count > 0 && _random.NextDouble() < _options.OfferChance)
                {
                    WriteOffer(_peers.ElementAt(_random.Next(_peers.Count)));
                }

                await FlushAsync(cancellationToken);
            }
            catch (SocketException)
            {
                _metrics.Error();
                return;
            }
            finally
            {
                _sendLock.Release();
            }
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _sendLock.Dispose();
    }

    private async Task ReadHandshakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await _socket.ReceiveAsync(_incoming.AsMemory(_incomingCount), cancellationToken);
            if (read == 0)
            {
                throw new IOException("Closed during the WebSocket handshake.");
            }

            _incomingCount += read;
            var end = _incoming.AsSpan(0, _incomingCount).IndexOf("\r\n\r\n"u8);
            if (end < 0)
            {
                continue;
            }

            if (!_incoming.AsSpan().StartsWith("HTTP/1.1 101"u8))
            {
                throw new IOException("The server refused the WebSocket upgrade.");
            }

            Consume(end + 4);
            return;
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Frames may have arrived with the handshake response, so handle before the first read.
            while (!cancellationToken.IsCancellationRequested)
            {
                await _sendLock.WaitAsync(cancellationToken);
                try
                {
                    var open = HandleFrames();
                    await FlushAsync(cancellationToken);
                    if (!open)
                    {
                        _metrics.Error();
                        return;
                    }
                }
                finally
                {
                    _sendLock.Release();
                }

                if (_incomingCount == _incoming.Length)
                {
                    Array.Resize(ref _incoming, _incoming.Length * 2);
                }

                var read = await _socket.ReceiveAsync(_incoming.AsMemory(_incomingCount), cancellationToken);
                if (read == 0)
                {
                    _metrics.Error();
                    return;
                }

                _incomingCount += read;
            }
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                _metrics.Error();
            }
        }
    }

    /// <summary>Handles every complete frame in the buffer; false when the server closed (its answer is then written, not yet flushed).</summary>
    private bool HandleFrames()
    {
        var offset = 0;
        while (TryReadFrame(_incoming.AsSpan(offset, _incomingCount - offset), out var opcode, out var headerLength, out var payloadLength))
        {
            var payload = _incoming.AsMemory(offset + headerLength, payloadLength);
            offset += headerLength + payloadLength;
            switch (opcode)
            {
                case OpText:
                    Handle(ReceivedMessage.Read(payload, _peerJs));
                    break;
                case OpPing:
                    WriteFrame(OpPong, payload.Span);
                    break;
                case OpClose:
                    // Answered with its status, as RFC 6455 asks: a server closing thousands of
                    // sockets (a drain) otherwise waits out its close handshake on each.
                    WriteFrame(OpClose, payload.Span[..Math.Min(2, payloadLength)]);
                    return false;
            }
        }

        Consume(offset);
        return true;
    }

    private void Handle(ReceivedMessage message)
    {
        switch (message.Kind)
        {
            case ReceivedKind.Open:
                Ready.TrySetResult();
                break;
            case ReceivedKind.NearbyPeers:
                _metrics.PeerList();
                OnPeers(message.Peers!);
                break;
            case ReceivedKind.Offer:
                _metrics.RelayDelivered();
                WriteRelay(isOffer: false, message.Sender.Span, message.Payload.Span);
                break;
            case ReceivedKind.Answer:
                _metrics.RelayDelivered();
                if (MessageWriter.TryReadStamp(message.Payload.Span, out var sent))
                {
                    _metrics.RoundTrip(sent, acrossNodes: NodeOf(message.Sender.Span) != _node);
                }

                if (_partner is not null)
                {
                    WriteOffer(_partner);
                }

                break;
            case ReceivedKind.Error:
                _metrics.Error(System.Text.Encoding.UTF8.GetString(message.Payload.Span));
                break;
        }
    }

    /// <summary>Which of the URLs a client connects to: client i is <c>load-</c> and i in six digits, on URL i mod their count (Program).</summary>
    private int NodeOf(ReadOnlySpan<byte> clientId) =>
        Utf8Parser.TryParse(clientId["load-".Length..], out int index, out _) ? index % _options.Urls.Length : -1;

    private static bool TryReadFrame(ReadOnlySpan<byte> buffer, out byte opcode, out int headerLength, out int payloadLength)
    {
        opcode = 0;
        headerLength = 2;
        payloadLength = 0;
        if (buffer.Length < 2)
        {
            return false;
        }

        opcode = (byte)(buffer[0] & 0x0F);
        long length = buffer[1] & 0x7F;
        if (length == 126)
        {
            headerLength = 4;
            if (buffer.Length < headerLength)
            {
                return false;
            }

            length = (buffer[2] << 8) | buffer[3];
        }
        else if (length == 127)
        {
            headerLength = 10;
            if (buffer.Length < headerLength)
            {
                return false;
            }

            length = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(buffer[2..]);
        }

        payloadLength = (int)length;
        return buffer.Length >= headerLength + payloadLength;
    }

    private void OnPeers(string[] peers)
    {
        if (_partner is not null)
        {
            if (peers.Contains(_partner))
            {
                Ready.TrySetResult();
            }

            return;
        }

        foreach (var peer in peers)
        {
            // A newly introduced pair: the smaller id offers, as real clients do.
            if (_peers.Add(peer) && string.CompareOrdinal(_id, peer) < 0)
            {
                WriteOffer(peer);
            }
        }

        _peers.IntersectWith(peers);
    }

    private void WritePosition()
    {
        MessageWriter.WritePosition(_writer, _id, _mapId, _x, _y);
        WriteJsonFrame();
    }

    private void WriteOffer(string target)
    {
        MessageWriter.StampOffer(_offerPayload);
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(target.Length)];
        WriteRelay(isOffer: true, utf8[..Encoding.UTF8.GetBytes(target, utf8)], _offerPayload);
    }

    private void WriteRelay(bool isOffer, ReadOnlySpan<byte> target, ReadOnlySpan<byte> payload)
    {
        MessageWriter.WriteRelay(_writer, _peerJs, isOffer, target, payload);
        WriteJsonFrame();
    }

    private void WriteJsonFrame()
    {
        _writer.Flush();
        WriteFrame(OpText, _json.WrittenSpan);
        _json.ResetWrittenCount();
        _writer.Reset();
    }

    /// <summary>A masked client frame; the all-zero mask key leaves the payload bytes as they are.</summary>
    private void WriteFrame(byte opcode, ReadOnlySpan<byte> payload)
    {
        var header = _outgoing.GetSpan(14);
        header[0] = (byte)(0x80 | opcode);
        int headerLength;
        if (payload.Length < 126)
        {
            header[1] = (byte)(0x80 | payload.Length);
            headerLength = 2;
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            header[1] = 0x80 | 126;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)payload.Length);
            headerLength = 4;
        }
        else
        {
            header[1] = 0x80 | 127;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(header[2..], (ulong)payload.Length);
            headerLength = 10;
        }

        header.Slice(headerLength, 4).Clear();
        _outgoing.Advance(headerLength + 4);
        _outgoing.Write(payload);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        var pending = _outgoing.WrittenMemory;
        while (!pending.IsEmpty)
        {
            var sent = await _socket.SendAsync(pending, cancellationToken);
            pending = pending[sent..];
        }

        _outgoing.ResetWrittenCount();
    }

    private void Consume(int count)
    {
        _incoming.AsSpan(count, _incomingCount - count).CopyTo(_incoming);
        _incomingCount -= count;
    }
}
