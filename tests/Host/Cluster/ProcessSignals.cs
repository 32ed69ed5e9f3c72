using System.Diagnostics;
using System.Globalization;

namespace ProxChat.Host.Tests.Cluster;

/// <summary>Sends a POSIX signal to a child process with <c>kill</c>, which .NET has no API for.</summary>
internal static class ProcessSignals
{
    /// <param name="signal">The signal's name without SIG: STOP, CONT, TERM.</param>
    public static async Task SendAsync(Process process, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }
}
