using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProxChat.Load;

/// <summary>
/// One simulated player. Offers carry the send timestamp; the peer answers with the same payload,
/// so the offerer measures the full relay round trip (offer there, answer back).
/// </summary>
internal sealed class LoadClient(string id, LoadOptions options, Metrics metrics, Random random)
{
    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly HashSet<string> _peers = [];
    private readonly string _padding = new('p', Math.Max(0, options.PayloadBytes - 24));
    private readonly bool _peerJs = options.Protocol == "peerjs";

    public string Id { get; } = id;

    public int MapId { get; set; } = 1;

    public int X { get; set; }

    public int Y { get; set; }

    /// <summary>The pingpong partner; the client with the smaller id starts.</summary>
    public string? Partner { get; set; }

    public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var url = _peerJs
            ? new Uri(options.Url, $"peerjs?key=peerjs&id={Id}&token={Id}")
            : options.Url;
        await _socket.ConnectAsync(url, cancellationToken);
        _ = ReceiveLoopAsync(cancellationToken);
        if (!_peerJs)
        {
            await SendPositionAsync(cancellationToken);
        }
    }

    public async Task WalkAsync(CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromSeconds(1 / options.Rate);
        await Task.Delay(period * random.NextDouble(), cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(period, cancellationToken);
            X += random.Next(-3, 4);
            Y += random.Next(-3, 4);
            await SendPositionAsync(cancellationToken);
            string? target = null;
            lock (_peers)
            {
                if (_peers.Count > 0 && random.NextDouble() < options.OfferChance)
                {
                    target = _peers.ElementAt(random.Next(_peers.Count));
                }
            }

            if (target is not null)
            {
                await SendOfferAsync(target, cancellationToken);
            }
        }
    }

    public async Task StartPingPongAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < options.Window; i++)
        {
            await SendOfferAsync(Partner!, cancellationToken);
        }
    }

    public void Abort() => _socket.Abort();

    private Task SendPositionAsync(CancellationToken cancellationToken)
    {
        metrics.Update();
        return SendAsync(
            string.Create(CultureInfo.InvariantCulture, $"{{\"type\":\"UpdatePosition\",\"data\":{{\"client_id\":\"{Id}\",\"map_id\":{MapId},\"x\":{X},\"y\":{Y},\"channel\":0,\"game_id\":0}}}}"),
            cancellationToken);
    }

    private Task SendOfferAsync(string target, CancellationToken cancellationToken)
    {
        var payload = $"{Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture)}|{_padding}";
        return Relay("SendOffer", "OFFER", "offer", target, payload, cancellationToken);
    }

    private Task Relay(string type, string peerJsType, string field, string target, string payload, CancellationToken cancellationToken)
    {
        var message = _peerJs
            ? new JsonObject { ["type"] = peerJsType, ["dst"] = target, ["payload"] = payload }
            : new JsonObject { ["type"] = type, ["data"] = new JsonObject { ["target_id"] = target, [field] = payload } };
        return SendAsync(message.ToJsonString(), cancellationToken);
    }

    private async Task SendAsync(string text, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, true, cancellationToken);
        }
        catch (WebSocketException)
        {
            metrics.Error();
        }
        finally
        {
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
                    metrics.Error();
                    return;
                }

                await HandleAsync(buffer.AsMemory(0, count), cancellationToken);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                metrics.Error();
            }
        }
    }

    private async Task HandleAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(message);
        var root = document.RootElement;
        var type = root.GetProperty("type").GetString();
        var data = _peerJs ? root : root.TryGetProperty("data", out var d) ? d : default;
        switch (type)
        {
            case "NearbyPeers":
                metrics.PeerList();
                await OnPeersAsync([.. data.EnumerateArray().Select(e => e.GetString()!)], cancellationToken);
                break;
            case "OPEN":
                Ready.TrySetResult();
                break;
            case "ReceiveOffer" or "OFFER":
                metrics.RelayDelivered();
                var sender = data.GetProperty(_peerJs ? "src" : "sender_id").GetString()!;
                var offer = data.GetProperty(_peerJs ? "payload" : "offer").GetString()!;
                await Relay("SendAnswer", "ANSWER", "answer", sender, offer, cancellationToken);
                break;
            case "ReceiveAnswer" or "ANSWER":
                metrics.RelayDelivered();
                var answer = data.GetProperty(_peerJs ? "payload" : "answer").GetString()!;
                metrics.RoundTrip(long.Parse(answer.AsSpan(0, answer.IndexOf('|', StringComparison.Ordinal)), CultureInfo.InvariantCulture));
                if (Partner is not null)
                {
                    await SendOfferAsync(Partner, cancellationToken);
                }

                break;
            case "Error" or "ERROR" or "ID-TAKEN" or "INVALID-KEY":
                metrics.Error();
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

        if (Partner is not null)
        {
            if (_peers.Contains(Partner))
            {
                Ready.TrySetResult();
            }

            return;
        }

        // A newly introduced pair: the smaller id offers, as real clients do.
        foreach (var peer in introduced.Where(p => string.CompareOrdinal(Id, p) < 0))
        {
            await SendOfferAsync(peer, cancellationToken);
        }
    }
}
