using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace ProxChat.Client.Tests;

/// <summary>Server, .NET client, JavaScript client and Helm chart are released together under one version number.</summary>
public partial class VersionTests
{
    private static string ProductVersion =>
        XDocument.Load(RepositoryFiles.PathOf("Directory.Build.props")).Descendants("Version").Single().Value;

    [Fact]
    public void The_product_version_is_a_plain_semantic_version()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$", ProductVersion);
    }

    [Fact]
    public void The_javascript_client_carries_the_product_version()
    {
        using var package = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.PathOf("clients/js/package.json")));

        Assert.Equal(ProductVersion, package.RootElement.GetProperty("version").GetString());
    }

    [Fact]
    public void The_helm_charts_app_version_is_the_product_version()
    {
        var chart = File.ReadAllText(RepositoryFiles.PathOf("helm/proxchat/Chart.yaml"));

        Assert.Equal(ProductVersion, AppVersion().Match(chart).Groups["version"].Value);
    }

    [Fact]
    public void The_built_client_and_server_carry_the_product_version()
    {
        Assert.StartsWith(ProductVersion + "+", InformationalVersion(typeof(ProxChatClient).Assembly) + "+", StringComparison.Ordinal);
        Assert.StartsWith(ProductVersion + "+", InformationalVersion(typeof(ProxChat.Host.ProxChatServer).Assembly) + "+", StringComparison.Ordinal);
    }

    private static string InformationalVersion(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

    [GeneratedRegex("""^appVersion:\s*["']?(?<version>[^"'\s]+)["']?\s*$""", RegexOptions.Multiline)]
    private static partial Regex AppVersion();
}
