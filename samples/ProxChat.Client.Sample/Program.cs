using ProxChat.Client.Sample;

// Ctrl+C leaves cleanly: Disconnect tells the peers at once instead of after the server's timeout.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

return await Walker.RunAsync(args, Console.Out, stop.Token);
