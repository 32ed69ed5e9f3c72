using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using ProxChat.Fuzzing;

// Sends mutated frames at a node from several connections at once, as the suite's fuzz test does:
// each frame is followed by a valid refresh, and the next waits for its answer, so every frame
// reaches the parser. A connection the node closes is replaced. Prints frames/s and how many
// connections the node closed; bench/fuzz.sh starts the node and checks it survived. Usage:
//   ProxChat.Fuzz <ws url> [frames=1000000] [connections=4] [seed=1]
var url = new Uri(args.Length > 0 ? args[0] : "ws://127.0.0.1:8080/");
var frames = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
var connections = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4;
var seed = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
var refresh = Encoding.UTF8.GetBytes("""{"type":"RequestPeerRefresh"}""");

var sent = 0L;
var closed = 0L;
var clock = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, connections).Select(RunAsync));
var elapsed = clock.Elapsed.TotalSeconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fuzz: {sent} frames in {elapsed:F1} s ({sent / elapsed:F0} frames/s), {closed} connections closed by the node"));

async Task RunAsync(int index)
{
    var mutator = new FrameMutator(seed + index);
    var share = frames / connections;
    var generation = 0;
    var socket = await JoinAsync($"fuzz-{index}-{generation++}");
    var buffer = new byte[1 << 20];
    for (var i = 0; i < share; i++)
    {
        var (payload, binary) = mutator.Next();
        var type = binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text;
        Interlocked.Increment(ref sent);
        try
        {
            await socket.SendAsync(payload, type, endOfMessage: true, CancellationToken.None);
            if (type == WebSocketMessageType.Text && !System.Text.Unicode.Utf8.IsValid(payload))
            {
                // The node fails the connection (1007) at once.
                throw new WebSocketException(WebSocketError.InvalidState);
            }

            await socket.SendAsync(refresh, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            while (await ReadTypeAsync(socket, buffer) is var message && message != "NearbyPeers")
            {
                if (message is null)
                {
                    throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely);
                }
            }
        }
        catch (WebSocketException)
        {
            socket.Abort();
            socket.Dispose();
            Interlocked.Increment(ref closed);
            socket = await JoinAsync($"fuzz-{index}-{generation++}");
        }
    }

    socket.Abort();
    socket.Dispose();
}

async Task<ClientWebSocket> JoinAsync(string clientId)
{
    var socket = new ClientWebSocket();
    await socket.ConnectAsync(url, CancellationToken.None);
    var join = Encoding.UTF8.GetBytes($$$"""{"type":"UpdatePosition","data":{"client_id":"{{{clientId}}}","map_id":1,"x":0,"y":0}}""");
    await socket.SendAsync(join, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
    return socket;
}

// The next message's type (read crudely: the fuzzer needs no more), or null once the node closed.
static async Task<string?> ReadTypeAsync(ClientWebSocket socket, byte[] buffer)
{
    var length = 0;
    ValueWebSocketReceiveResult result;
    do
    {
        result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
        if (result.MessageType == WebSocketMessageType.Close)
        {
            return null;
        }

        length += result.Count;
    }
    while (!result.EndOfMessage);

    var text = Encoding.UTF8.GetString(buffer, 0, length);
    return text.StartsWith("""{"type":"NearbyPeers""", StringComparison.Ordinal) ? "NearbyPeers" : "other";
}
