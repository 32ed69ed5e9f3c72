namespace ProxChat.Host;

/// <summary>
/// <c>ProxChat.Host healthcheck [url]</c>: exits 0 when the server answers <c>/healthz</c>, 1
/// otherwise. The runtime container image has no curl or wget; this lets its HEALTHCHECK use the
/// server's own binary.
/// </summary>
internal static class HealthProbe
{
    public const string Command = "healthcheck";

    public static async Task<int> RunAsync(string[] args)
    {
        var port = Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS")?.Split(';', ',')[0] is { Length: > 0 } configured ? configured : "8080";
        var url = new Uri(args.Length > 1 ? args[1] : $"http://127.0.0.1:{port}/healthz");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(url).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"{url}: {exception.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
