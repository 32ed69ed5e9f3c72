using System.Globalization;

namespace ProxChat.Client.Sample;

/// <summary>Connects one client, walks it around and logs what it hears.</summary>
internal static class Walker
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    public static async Task<int> RunAsync(string[] args, TextWriter log, CancellationToken stop)
    {
        var options = SampleOptions.Parse(args, out var error);
        if (options is null)
        {
            await log.WriteLineAsync($"{error}\n{SampleOptions.Usage}");
            return 2;
        }

        await using var client = new ProxChatClient(new ProxChatClientOptions(options.Url, options.Id) { AccessToken = options.Token });
        Listen(client, log);

        IEnumerator<(int X, int Y)> path = options.RandomWalk ? Paths.RandomWalk(options.Radius).GetEnumerator() : Paths.Circle(options.Radius).GetEnumerator();
        path.MoveNext();
        client.UpdatePosition(options.Map, path.Current.X, path.Current.Y);
        try
        {
            await client.ConnectAsync(stop);
        }
        catch (ProxChatConnectException exception)
        {
            Write(log, $"could not connect: {exception.Message}");
            return 1;
        }

        Write(log, $"{options.Id} walking on map {options.Map} ({(options.RandomWalk ? "random walk" : "circle")}, radius {options.Radius})");
        using var duration = options.Duration is { } limit ? new CancellationTokenSource(limit) : new CancellationTokenSource();
        using var walking = CancellationTokenSource.CreateLinkedTokenSource(stop, duration.Token);
        using var timer = new PeriodicTimer(Step);
        try
        {
            while (await timer.WaitForNextTickAsync(walking.Token) && path.MoveNext())
            {
                client.UpdatePosition(options.Map, path.Current.X, path.Current.Y);
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or --seconds: leave.
        }

        await client.DisconnectAsync(CancellationToken.None);
        return 0;
    }

    /// <summary>Logs every event. They arrive on thread-pool threads; a game would queue them for its main loop instead.</summary>
    private static void Listen(ProxChatClient client, TextWriter log)
    {
        client.Connected += (_, e) => Write(log, e.IsReconnect ? "reconnected" : "connected");
        client.Disconnected += (_, e) => Write(log, $"disconnected: {e.Reason} {e.CloseCode} {e.CloseDescription}{(e.WillReconnect ? ", reconnecting" : "")}");
        client.Closed += (_, e) => Write(log, $"closed: {e.Reason}");
        client.NearbyPeersReceived += (_, e) => Write(log, $"nearby: [{string.Join(", ", e.PeerIds)}]");
        client.OfferReceived += (_, e) => Write(log, $"offer from {e.SenderId} ({e.Offer.Length} chars)");
        client.AnswerReceived += (_, e) => Write(log, $"answer from {e.SenderId} ({e.Answer.Length} chars)");
        client.IceCandidateReceived += (_, e) => Write(log, $"candidate from {e.SenderId}: {e.Candidate}");
        client.IceServersReceived += (_, e) => Write(log, $"ice servers: {e.IceServers.Count}, valid {e.TtlSeconds} s");
        client.Error += (_, e) => Write(log, $"error ({e.Kind}): {e.Message}");
    }

    private static void Write(TextWriter log, string line)
    {
        lock (log)
        {
            log.WriteLine($"{DateTime.Now.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)} {line}");
            log.Flush();
        }
    }
}
