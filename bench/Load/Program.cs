using System.Diagnostics;
using System.Globalization;
using ProxChat.Load;

// A load client for ProxChat (and, for comparison, the PeerJS server). See README, Benchmarks.
var options = LoadOptions.Parse(args);
var metrics = new Metrics();
using var stop = new CancellationTokenSource();
var random = new Random(1);
var side = (int)Math.Sqrt(options.Clients * Math.PI * 20 * 20 / 5); // about five others within range
var pingPong = options.Mode == "pingpong";
var clients = Enumerable.Range(0, options.Clients).Select(i => new LoadClient($"load-{i:D6}", options, metrics, new Random(i))
{
    MapId = pingPong ? (i / 2) + 1 : 1,
    X = pingPong ? 0 : random.Next(side),
    Y = pingPong ? 0 : random.Next(side),
    Partner = pingPong ? $"load-{i ^ 1:D6}" : null,
}).ToArray();

Console.WriteLine($"{options.Protocol} {options.Mode}: {options.Clients} clients on {options.Url}, ramp {options.RampSeconds} s, measure {options.DurationSeconds} s");
var connectFailures = 0;
var started = Stopwatch.StartNew();
var connecting = clients.Select(async (client, i) =>
{
    await Task.Delay(TimeSpan.FromSeconds(options.RampSeconds * i / options.Clients));
    try
    {
        await client.ConnectAsync(stop.Token);
    }
    catch (Exception exception) when (exception is System.Net.WebSockets.WebSocketException or HttpRequestException)
    {
        Interlocked.Increment(ref connectFailures);
        return;
    }

    if (!pingPong)
    {
        _ = client.WalkAsync(stop.Token).ContinueWith(static _ => { }, TaskScheduler.Default);
    }
}).ToArray();
await Task.WhenAll(connecting);
Console.WriteLine($"connected {options.Clients - connectFailures} in {started.Elapsed.TotalSeconds:F1} s");

if (pingPong)
{
    await Task.WhenAll(clients.Select(c => c.Ready.Task)).WaitAsync(TimeSpan.FromSeconds(30));
    foreach (var starter in clients.Where((_, i) => i % 2 == 0))
    {
        await starter.StartPingPongAsync(stop.Token);
    }
}

await Task.Delay(TimeSpan.FromSeconds(2)); // settle
var (updates0, relays0, errors0) = (metrics.Updates, metrics.RelaysDelivered, metrics.Errors);
metrics.Measuring = true;
var measured = Stopwatch.StartNew();
await Task.Delay(TimeSpan.FromSeconds(options.DurationSeconds));
metrics.Measuring = false;
var seconds = measured.Elapsed.TotalSeconds;
var (updates, relays, errors) = (metrics.Updates - updates0, metrics.RelaysDelivered - relays0, metrics.Errors - errors0);
var (count, p50, p99, max) = metrics.RoundTrips();

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"updates/s {updates / seconds:F0}  relays delivered/s {relays / seconds:F0}  round trips {count}  rtt p50 {p50:F1} ms  p99 {p99:F1} ms  max {max:F1} ms  errors {errors}  connect failures {connectFailures}  peer lists {metrics.PeerLists}"));
await stop.CancelAsync();
foreach (var client in clients)
{
    client.Abort();
}
