using System.Collections.Concurrent;
using System.Diagnostics;

namespace ProxChat.Host.Tests;

/// <summary>
/// The built server, run as a child process with a configuration it must refuse or question: the
/// operator reads one line per problem, and a typo'd key is named with the key it was meant to be.
/// </summary>
public sealed class ConfigurationErrorTests
{
    [Theory]
    [InlineData("--ProxChat:IntroductionRange=30", "Configuration error: ProxChat:DisconnectionRange = 25, ProxChat:IntroductionRange = 30: DisconnectionRange (25) must be at least IntroductionRange (30).")]
    [InlineData("--ProxChat:MaxMessageBytes=5", "Configuration error: ProxChat:MaxMessageBytes = 5: must be between 1024 and 16777216.")]
    [InlineData("--ProxChat:IntroductionRange=near", "Configuration error: ProxChat:IntroductionRange = near: must be a whole number.")]
    [InlineData("--ProxChat:RelayPolicy=Everyone", "Configuration error: ProxChat:RelayPolicy = Everyone: must be one of Nearby, Any.")]
    [InlineData("--ProxChat:SignalR:Enabled=maybe", "Configuration error: ProxChat:SignalR:Enabled = maybe: must be true or false.")]
    [InlineData("--ProxChat:Turn:TtlSeconds=1", "Configuration error: ProxChat:Turn:TtlSeconds = 1: Turn:TtlSeconds must be between 2 and 604800 (a week).")]
    [InlineData("--ProxChat:StunUrls:0=turn:turn.example.com", "Configuration error: ProxChat:StunUrls: StunUrls: 'turn:turn.example.com' is not a STUN URL; write stun:host:port.")]
    [InlineData("--ProxChat:Metrics:Port=70000", "Configuration error: ProxChat:Metrics:Port must be a TCP port (1-65535), or 0 to serve /metrics on every port (got 70000).")]
    public async Task A_bad_value_stops_the_server_with_exit_code_2_and_one_line_naming_key_value_and_rule(string setting, string expected)
    {
        var (exitCode, errors) = await RunToExitAsync(setting);

        Assert.Equal(2, exitCode);
        Assert.Equal([expected], errors);
    }

    [Fact]
    public async Task Several_bad_values_get_a_line_each()
    {
        var (exitCode, errors) = await RunToExitAsync("--ProxChat:IntroductionRange=-1", "--ProxChat:SendQueueLimit=1");

        Assert.Equal(2, exitCode);
        Assert.Equal(
            [
                "Configuration error: ProxChat:IntroductionRange = -1: must be between 0 and 2147483647.",
                "Configuration error: ProxChat:SendQueueLimit = 1: must be between 16 and 1000000.",
            ],
            errors);
    }

    [Fact]
    public async Task A_typo_in_a_key_is_warned_about_with_the_key_it_was_meant_to_be_and_the_server_still_starts()
    {
        var output = await StartUpOutputAsync("--ProxChat:IntroductionRang=5");

        Assert.Contains(output, line => line.Contains("ProxChat:IntroductionRang is not a setting and is ignored; did you mean ProxChat:IntroductionRange?", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Known_keys_in_any_case_and_the_keys_the_host_reads_itself_are_not_warned_about()
    {
        var output = await StartUpOutputAsync("--proxchat:introductionrange=5", "--ProxChat:signalr:ENABLED=true", "--ProxChat:Metrics:Enabled=true", "--ProxChat:Metrics:Port=0");

        Assert.DoesNotContain(output, line => line.Contains("is not a setting", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_start_up_log_names_the_ice_servers_handed_out_but_never_the_turn_secret()
    {
        const string secret = "the-turn-secret-must-not-be-logged";
        var output = await StartUpOutputAsync($"--ProxChat:Turn:Secret={secret}", "--ProxChat:Turn:Urls:0=turn:turn.example.com:3478", "--ProxChat:StunUrls:0=stun:stun.example.com:3478", "--ProxChat:Turn:HttpEndpoint=false");

        Assert.Contains(output, line => line.Contains("ICE servers handed to clients: TURN turn:turn.example.com:3478 (credentials valid 3600 s); STUN stun:stun.example.com:3478.", StringComparison.Ordinal));
        Assert.DoesNotContain(output, line => line.Contains(secret, StringComparison.Ordinal) || line.Contains("is not a setting", StringComparison.Ordinal));
    }

    /// <summary>Runs a server that must refuse its configuration; its exit code and the lines it wrote to standard error.</summary>
    private static async Task<(int ExitCode, string[] Errors)> RunToExitAsync(params string[] settings)
    {
        using var server = StartServer(settings);
        var errors = server.StandardError.ReadToEndAsync();
        _ = server.StandardOutput.ReadToEndAsync();
        await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (server.ExitCode, (await errors).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>Starts a server, waits until it listens, stops it, and returns what it logged meanwhile.</summary>
    private static async Task<IReadOnlyCollection<string>> StartUpOutputAsync(params string[] settings)
    {
        using var server = StartServer(settings);
        var lines = new ConcurrentQueue<string>();
        server.OutputDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                lines.Enqueue(line.Data);
            }
        };
        server.BeginOutputReadLine();
        _ = server.StandardError.ReadToEndAsync();
        try
        {
            await Eventually.HoldsAsync(
                () => lines.Any(line => line.Contains("Now listening on", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(60),
                () => $"the server did not start; it wrote: {string.Join('\n', lines)}");
            return lines;
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
    }

    /// <summary>The built host on a free loopback port, logging at Information so start-up shows.</summary>
    private static Process StartServer(params string[] settings)
    {
        var host = Path.Combine(AppContext.BaseDirectory, "ProxChat.Host.dll");
        var start = new ProcessStartInfo("dotnet", [host, "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Information", .. settings])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        return Process.Start(start)!;
    }
}
