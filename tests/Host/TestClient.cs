using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace ProxChat.Host.Tests;

/// <summary>A protocol client over a real <see cref="ClientWebSocket"/>, recording what it receives.</summary>
internal sealed class TestClient : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket _socket = new();
    private readonly Channel<Received> _inbox = Channel.CreateUnbounded<Received>();
    private readonly TaskCompletionSource<(WebSocketCloseStatus? Status, string? Reason)> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _receiving = Task.CompletedTask;
    private volatile string[]? _latestPeers;
    private volatile string? _schemaViolation;

    public string? Id { get; private set; }

    /// <summary>The set from the newest NearbyPeers received so far, sorted.</summary>
    public string[]? LatestPeers => _latestPeers;

    public Task<(WebSocketCloseStatus? Status, string? Reason)> Closed => _closed.Task;

    /// <param name="configure">Sets request headers (Origin, Authorization) before the upgrade.</param>
    public static async Task<TestClient> ConnectAsync(IServerNode server, string path = "/", Action<ClientWebSocketOptions>? configure = null)
    {
        var client = new TestClient();
        configure?.Invoke(client._socket.Options);
        await client._socket.ConnectAsync(new Uri($"ws://{server.HttpAddress.Authority}{path}"), CancellationToken.None);
        client._receiving = client.ReceiveLoopAsync();
        return client;
    }

    /// <summary>Connects, registers and consumes the first NearbyPeers.</summary>
    public static async Task<TestClient> JoinAsync(IServerNode server, string id, int x, int y, int mapId = 1, int channel = 0, int gameId = 0)
    {
        var client = await ConnectAsync(server);
        await client.MoveAsync(id, x, y, mapId, channel, gameId);
        await client.ExpectAsync("NearbyPeers");
        return client;
    }

    public Task MoveAsync(string id, int x, int y, int mapId = 1, int channel = 0, int gameId = 0)
    {
        Id ??= id;
        return SendAsync(new JsonObject
        {
            ["type"] = "UpdatePosition",
            ["data"] = new JsonObject { ["client_id"] = id, ["map_id"] = mapId, ["x"] = x, ["y"] = y, ["channel"] = channel, ["game_id"] = gameId },
        });
    }

    public Task MoveAsync(int x, int y, int mapId = 1) => MoveAsync(Id!, x, y, mapId);

    /// <summary>
    /// Moves to (x, y) five times a second until disposed: ten moves per two-second ClientTimeout,
    /// so a test process stalled for a second under load does not time the client out.
    /// </summary>
    public IAsyncDisposable KeepMoving(int x, int y) => new Mover(this, x, y);

    public Task SendAsync(string type, JsonNode? data = null) =>
        SendAsync(new JsonObject { ["type"] = type, ["data"] = data });

    public Task SendRelayAsync(string type, string targetId, string payloadField, string payload) =>
        SendAsync(type, new JsonObject { ["target_id"] = targetId, [payloadField] = payload });

    public Task SendAsync(JsonNode message) => SendTextAsync(message.ToJsonString());

    public Task SendTextAsync(string text) => SendBytesAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public async Task SendBytesAsync(byte[] bytes, WebSocketMessageType type, bool endOfMessage = true) =>
        await _socket.SendAsync(bytes, type, endOfMessage, CancellationToken.None);

    /// <summary>The next message, whatever it is.</summary>
    public async Task<Received> NextAsync()
    {
        using var timeout = new CancellationTokenSource(Deadline);
        try
        {
            var message = await _inbox.Reader.ReadAsync(timeout.Token);
            FailOnSchemaViolation();
            return message;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Id}: no message within {Deadline.TotalSeconds} s.");
        }
        catch (ChannelClosedException)
        {
            throw await ClosedWhileExpectingAsync();
        }
    }

    private async Task<InvalidOperationException> ClosedWhileExpectingAsync()
    {
        var (status, reason) = await Closed;
        return new InvalidOperationException($"{Id}: connection closed ({status}: {reason}) while a message was expected.");
    }

    /// <summary>The next message if one arrives within <paramref name="wait"/>; null if none does.</summary>
    public async Task<Received?> TryNextAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            var message = await _inbox.Reader.ReadAsync(timeout.Token);
            FailOnSchemaViolation();
            return message;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (ChannelClosedException)
        {
            throw await ClosedWhileExpectingAsync();
        }
    }

    /// <summary>The next message, which must be of <paramref name="type"/>.</summary>
    public async Task<Received> ExpectAsync(string type)
    {
        var message = await NextAsync();
        Assert.True(message.Type == type, $"{Id}: expected {type}, got {message.Raw}");
        return message;
    }

    public async Task<string> ExpectErrorAsync()
    {
        var message = await ExpectAsync("Error");
        return message.Data!.GetValue<string>();
    }

    /// <summary>The next message must be NearbyPeers with exactly these peers.</summary>
    public async Task ExpectPeersAsync(params string[] peers)
    {
        var message = await ExpectAsync("NearbyPeers");
        Assert.Equal(peers.Order(StringComparer.Ordinal), message.Peers);
    }

    /// <summary>Skips messages until a NearbyPeers with exactly these peers arrives.</summary>
    public async Task WaitForPeersAsync(params string[] peers)
    {
        var expected = peers.Order(StringComparer.Ordinal).ToArray();
        while (true)
        {
            var message = await NextAsync();
            if (message.Type == "NearbyPeers" && message.Peers!.SequenceEqual(expected))
            {
                return;
            }
        }
    }

    public async Task<(WebSocketCloseStatus? Status, string? Reason)> ExpectClosedAsync() => await Closed.WaitAsync(Deadline);

    /// <summary>Forgets every message received so far.</summary>
    public void DiscardReceived()
    {
        while (_inbox.Reader.TryRead(out _))
        {
        }
    }

    /// <summary>Round trip through the server: every message sent before it has been handled.</summary>
    public async Task<string[]> RefreshAsync()
    {
        await SendAsync("RequestPeerRefresh");
        return (await ExpectAsync("NearbyPeers")).Peers!;
    }

    public async Task CloseAsync()
    {
        await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        await _receiving;
    }

    public void Abort() => _socket.Abort();

    public bool IsAborted => _socket.State == WebSocketState.Aborted;

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        await _receiving;
        _socket.Dispose();
        FailOnSchemaViolation();
    }

    /// <summary>Fails the test if the server sent anything docs/protocol.schema.json does not allow.</summary>
    private void FailOnSchemaViolation()
    {
        if (_schemaViolation is { } violation)
        {
            Assert.Fail($"{Id}: the server sent a message outside the protocol: {violation}");
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (true)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
                    count += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _closed.TrySetResult((_socket.CloseStatus, _socket.CloseStatusDescription));
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    }

                    return;
                }

                var received = Received.Parse(buffer.AsSpan(0, count));
                _schemaViolation ??= ProtocolSchema.ServerMessageViolation(received.Raw);
                if (received.Type == "NearbyPeers")
                {
                    _latestPeers = received.Peers;
                }

                _inbox.Writer.TryWrite(received);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            _closed.TrySetResult((null, exception.Message));
        }
        finally
        {
            _inbox.Writer.TryComplete();
        }
    }

    private sealed class Mover : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _moving;

        public Mover(TestClient client, int x, int y) => _moving = MoveUntilStoppedAsync(client, x, y);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _moving;
            _stop.Dispose();
        }

        private async Task MoveUntilStoppedAsync(TestClient client, int x, int y)
        {
            while (!_stop.IsCancellationRequested)
            {
                await client.MoveAsync(x, y);
                try
                {
                    await Task.Delay(200, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    internal sealed record Received(string Type, JsonNode? Data, string Raw, int ByteCount)
    {
        public string[]? Peers => Type == "NearbyPeers" ? [.. Data!.AsArray().Select(n => n!.GetValue<string>()).Order(StringComparer.Ordinal)] : null;

        public string? SenderId => Data?["sender_id"]?.GetValue<string>();

        public static Received Parse(ReadOnlySpan<byte> utf8)
        {
            var raw = Encoding.UTF8.GetString(utf8);
            var node = JsonNode.Parse(raw, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false })!;
            return new Received(node["type"]!.GetValue<string>(), node["data"], raw, utf8.Length);
        }
    }
}
