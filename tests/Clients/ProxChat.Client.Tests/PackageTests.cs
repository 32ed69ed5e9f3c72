using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace ProxChat.Client.Tests;

/// <summary>`dotnet pack` of the client makes the package a game project installs: both target frameworks, docs, the product version.</summary>
public class PackageTests
{
    [Fact]
    public async Task Packing_the_client_gives_one_package_for_netstandard21_and_net80()
    {
        var output = Directory.CreateTempSubdirectory("proxchat-pack-");
        try
        {
            // Its own artifacts path: the pack builds beside, not over, the solution's own build.
            var (exitCode, log) = await RunAsync(
                "pack", RepositoryFiles.PathOf("clients/dotnet/ProxChat.Client/ProxChat.Client.csproj"),
                "-c", "Release", "--artifacts-path", Path.Combine(output.FullName, "artifacts"), "-o", output.FullName);
            Assert.True(exitCode == 0, log);

            var version = XDocument.Load(RepositoryFiles.PathOf("Directory.Build.props")).Descendants("Version").Single().Value;
            var package = Path.Combine(output.FullName, $"ProxChat.Client.{version}.nupkg");
            Assert.True(File.Exists(package), $"no {package}; {string.Join(", ", output.GetFiles().Select(f => f.Name))}");
            using var archive = ZipFile.OpenRead(package);
            var entries = archive.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("lib/netstandard2.1/ProxChat.Client.dll", entries);
            Assert.Contains("lib/netstandard2.1/ProxChat.Client.xml", entries);
            Assert.Contains("lib/net8.0/ProxChat.Client.dll", entries);
            Assert.Contains("lib/net8.0/ProxChat.Client.xml", entries);
            Assert.Contains("README.md", entries);

            await using var nuspecStream = archive.GetEntry("ProxChat.Client.nuspec")!.Open();
            var nuspec = XDocument.Load(nuspecStream);
            XNamespace ns = nuspec.Root!.Name.NamespaceName;
            Assert.Equal(version, nuspec.Descendants(ns + "version").Single().Value);
            var groups = nuspec.Descendants(ns + "group").ToDictionary(g => (string)g.Attribute("targetFramework")!, g => g.Elements(ns + "dependency").Select(d => (string)d.Attribute("id")!).ToList());
            Assert.Equal(["System.Text.Json"], groups[".NETStandard2.1"]);
            Assert.Empty(groups["net8.0"]);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Log)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryFiles.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // One build node that exits with the pack, instead of ones left running after the test.
        start.ArgumentList.Add("-nodeReuse:false");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
