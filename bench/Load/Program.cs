using System.Diagnostics;
using System.Globalization;
using ProxChat.Load;

// A load client for ProxChat (and, for comparison, the PeerJS server). See docs/benchmarks.md.
var options = LoadOptions.Parse(args);
var metrics = new Metrics();
using var stop = new CancellationTokenSource();
Console.WriteLine($"{options.Protocol} {options.Mode}: {options.Clients} clients on {string.Join(", ", options.Urls.Select(u => u.ToString()))}, ramp {options.RampSeconds} s, measure {options.DurationSeconds} s");
var started = Stopwatch.StartNew();
var connectFailures = 0;

// Opens each client, spread over the ramp; false when it could not connect.
async Task<bool> ConnectSpreadAsync(int index, Func<Task> connect)
{
    await Task.Delay(TimeSpan.FromSeconds(options.RampSeconds * index / options.Clients));
    try
    {
        await connect();
        return true;
    }
    catch (Exception exception) when (exception is System.Net.WebSockets.WebSocketException or HttpRequestException or IOException or System.Net.Sockets.SocketException)
    {
        Interlocked.Increment(ref connectFailures);
        return false;
    }
}

var pingPong = options.Mode == "pingpong";
var random = new Random(1);
var side = (int)Math.Sqrt(options.Clients * Math.PI * 20 * 20 / 5); // walkers: about five others within range
var clients = Enumerable.Range(0, options.Clients).Select(i => pingPong

    // Fixed pairs, each alone on its own map, relaying offers and answers as fast as the server allows.
    ? new RawLoadClient($"load-{i:D6}", $"load-{i ^ 1:D6}", (i / 2) + 1, 0, 0, options.Urls[i % options.Urls.Length], options, metrics, new Random(i))
    : new RawLoadClient($"load-{i:D6}", null, 1, random.Next(side), random.Next(side), options.Urls[i % options.Urls.Length], options, metrics, new Random(i)))
    .ToArray();
await Task.WhenAll(clients.Select(async (client, i) =>
{
    if (await ConnectSpreadAsync(i, () => client.ConnectAsync(stop.Token)) && !pingPong)
    {
        _ = client.WalkAsync(stop.Token).ContinueWith(static _ => { }, TaskScheduler.Default);
    }
}));
if (pingPong)
{
    await Task.WhenAll(clients.Select(c => c.Ready.Task)).WaitAsync(TimeSpan.FromSeconds(30));
    await Task.WhenAll(clients.Where((_, i) => i % 2 == 0).Select(c => c.StartPingPongAsync(stop.Token)));
}

Console.WriteLine($"connected {options.Clients - connectFailures} in {started.Elapsed.TotalSeconds:F1} s");
// A pause of the load client stops every client's clock and shows as server latency. The buffers
// allocated over the ramp have reached the oldest generation, and their full collection (34-46 ms
// here) fell inside the measured window: collect them now, before the settling seconds.
GC.Collect();
await Task.Delay(TimeSpan.FromSeconds(2)); // settle
var (updates0, relays0, errors0) = (metrics.Updates, metrics.RelaysDelivered, metrics.Errors);
var gc0 = GcTotals();
metrics.Measuring = true;
var measured = Stopwatch.StartNew();
await Task.Delay(TimeSpan.FromSeconds(options.DurationSeconds));
metrics.Measuring = false;
var seconds = measured.Elapsed.TotalSeconds;
var gc1 = GcTotals();
var (updates, relays, errors) = (metrics.Updates - updates0, metrics.RelaysDelivered - relays0, metrics.Errors - errors0);
var (count, p50, p99, max) = metrics.RoundTrips();

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"updates/s {updates / seconds:F0}  relays delivered/s {relays / seconds:F0}  round trips {count}  rtt p50 {p50:F1} ms  p99 {p99:F1} ms  max {max:F1} ms  errors {errors}  connect failures {connectFailures}  peer lists {metrics.PeerLists}"));
if (options.Urls.Length > 1)
{
    var (sameCount, sameP50, sameP99, sameMax) = metrics.RoundTrips(acrossNodes: false);
    var (acrossCount, acrossP50, acrossP99, acrossMax) = metrics.RoundTrips(acrossNodes: true);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"rtt by path: one node {sameCount}  p50 {sameP50:F1} ms  p99 {sameP99:F1} ms  max {sameMax:F1} ms;  two nodes {acrossCount}  p50 {acrossP50:F1} ms  p99 {acrossP99:F1} ms  max {acrossMax:F1} ms"));
}

// The load client's own pauses are part of the round trips it measured, beside the server's.
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"load client gc: {gc1.Collections - gc0.Collections} collections ({gc1.FullCollections - gc0.FullCollections} full), {(gc1.Paused - gc0.Paused).TotalMilliseconds:F0} ms paused"));
foreach (var text in metrics.ErrorTexts)
{
    Console.WriteLine($"error: {text}");
}

await stop.CancelAsync();
Array.ForEach(clients, c => c.Dispose());

// Collections of any generation, full ones, and the time they paused this process, so far.
static (int Collections, int FullCollections, TimeSpan Paused) GcTotals() =>
    (GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalPauseDuration());
