using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace ProxChat.Load;

/// <summary>
/// One simulated player walking at random. Offers carry the send timestamp; the peer answers with
/// the same payload, so the offerer measures the full relay round trip (offer there, answer back).
/// </summary>
internal sealed class LoadClient
{
    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _sendBuffer = new(4096);
    private readonly Utf8JsonWriter _writer;
    private readonly HashSet<string> _peers = [];
    private readonly byte[] _offerPayload;
    private readonly LoadOptions _options;
    private readonly Metrics _metrics;
    private readonly Random _random;

    private readonly Uri _url;

    public LoadClient(string id, Uri url, LoadOptions options, Metrics metrics, Random random)
    {
        Id = id;
        _url = url;
        _options = options;
        _metrics = metrics;
        _random = random;
        _writer = new Utf8JsonWriter(_sendBuffer, new JsonWriterOptions { SkipValidation = true });
        _offerPayload = new byte[Math.Max(options.PayloadBytes, 24)];
        _offerPayload.AsSpan().Fill((byte)'p');
    }

    public string Id { get; }

    public int X { get; set; }

    public int Y { get; set; }

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await _socket.ConnectAsync(_url, cancellationToken);
        _ = ReceiveLoopAsync(cancellationToken);
        await SendAsync(static c => MessageWriter.WritePosition(c._writer, c.Id, 1, c.X, c.Y), cancellationToken);
    }

    public async Task WalkAsync(CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromSeconds(1 / _options.Rate);
        await Task.Delay(period * _random.NextDouble(), cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(period, cancellationToken);
            X += _random.Next(-3, 4);
            Y += _random.Next(-3, 4);
            _metrics.Update();
            await SendAsync(static c => MessageWriter.WritePosition(c._writer, c.Id, 1, c.X, c.Y), cancellationToken);
            string? target = null;
            lock (_peers)
            {
                if (_peers.Count > 0 && _random.NextDouble() < _options.OfferChance)
                {
                    target = _peers.ElementAt(_random.Next(_peers.Count));
                }
            }

            if (target is not null)
            {
                await SendOfferAsync(target, cancellationToken);
            }
        }
    }

    public void Abort() => _socket.Abort();

    private Task SendOfferAsync(string target, CancellationToken cancellationToken) =>
        SendAsync(c =>
        {
            MessageWriter.StampOffer(c._offerPayload);
            MessageWriter.WriteRelay(c._writer, peerJs: false, isOffer: true, Encoding.UTF8.GetBytes(target), c._offerPayload);
        }, cancellationToken);

    /// <summary>Writes one message with <paramref name="write"/> and sends it as one frame.</summary>
    private async Task SendAsync(Action<LoadClient> write, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            write(this);
            _writer.Flush();
            await _socket.SendAsync(_sendBuffer.WrittenMemory, WebSocketMessageType.Text, true, cancellationToken);
        }
        catch (WebSocketException)
        {
            _metrics.Error();
        }
        finally
        {
            _sendBuffer.ResetWrittenCount();
            _writer.Reset();
            _sendLock.Release();
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[256 * 1024];
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(count), cancellationToken);
                    count += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _metrics.Error();
                    return;
                }

                await HandleAsync(ReceivedMessage.Read(buffer.AsMemory(0, count), peerJs: false), cancellationToken);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                _metrics.Error();
            }
        }
    }

    private async Task HandleAsync(ReceivedMessage received, CancellationToken cancellationToken)
    {
        switch (received.Kind)
        {
            case ReceivedKind.NearbyPeers:
                _metrics.PeerList();
                await OnPeersAsync(received.Peers!, cancellationToken);
                break;
            case ReceivedKind.Offer:
                _metrics.RelayDelivered();
                await SendAsync(
                    c => MessageWriter.WriteRelay(c._writer, peerJs: false, isOffer: false, received.Sender.Span, received.Payload.Span),
                    cancellationToken);
                break;
            case ReceivedKind.Answer:
                _metrics.RelayDelivered();
                if (MessageWriter.TryReadStamp(received.Payload.Span, out var sent))
                {
                    _metrics.RoundTrip(sent);
                }

                break;
            case ReceivedKind.Error:
                _metrics.Error();
                break;
        }
    }

    private async Task OnPeersAsync(string[] peers, CancellationToken cancellationToken)
    {
        List<string> introduced;
        lock (_peers)
        {
            introduced = [.. peers.Where(p => !_peers.Contains(p))];
            _peers.Clear();
            _peers.UnionWith(peers);
        }

        // A newly introduced pair: the smaller id offers, as real clients do.
        foreach (var peer in introduced.Where(p => string.CompareOrdinal(Id, p) < 0))
        {
            await SendOfferAsync(peer, cancellationToken);
        }
    }
}
