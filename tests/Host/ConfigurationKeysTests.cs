using System.Text.RegularExpressions;

namespace ProxChat.Host.Tests;

/// <summary>How the server knows which keys under ProxChat: are settings, so it can warn about the others.</summary>
public sealed partial class ConfigurationKeysTests
{
    [Theory]
    [InlineData("IntroductionRange")]
    [InlineData("introductionrange")]
    [InlineData("SignalR:Enabled")]
    [InlineData("Metrics:Enabled")]
    [InlineData("Metrics:Port")]
    public void The_servers_settings_are_known(string key) => Assert.NotNull(ConfigurationKeys.Find(key));

    [Theory]
    [InlineData("IntroductionRang")]
    [InlineData("SignalR")]
    [InlineData("SignalR:Enable")]
    [InlineData("IntroductionRange:0")]
    public void Other_keys_are_not(string key) => Assert.Null(ConfigurationKeys.Find(key));

    [Fact]
    public void Nested_settings_lists_and_dictionaries_are_walked_and_lists_take_numeric_indexes()
    {
        var keys = ConfigurationKeys.FindKnownKeys(typeof(SampleSettings), ["Direct:Key"]);
        bool Known(string key) => keys.Any(known => known.Matches(key.Split(':')));

        Assert.True(Known("Range"));
        Assert.True(Known("Nested:Secret"));
        Assert.True(Known("Origins:0"));
        Assert.True(Known("Origins:12"));
        Assert.True(Known("Servers:1:Urls:0"));
        Assert.True(Known("Servers:1:Ttl"));
        Assert.True(Known("Limits:anything"));
        Assert.True(Known("Fixed:3"));
        Assert.True(Known("Direct:Key"));
        Assert.False(Known("Origins"));
        Assert.False(Known("Origins:first"));
        Assert.False(Known("ReadOnly"));
        Assert.False(Known("Nested"));
        Assert.Equal(["Range", "Nested:Secret", "Origins:0", "Servers:0:Urls:0", "Servers:0:Ttl", "Limits:name", "Fixed:0", "Direct:Key"], keys.Select(key => key.Example));
    }

    [Theory]
    [InlineData("", "", 0)]
    [InlineData("IntroductionRang", "IntroductionRange", 1)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("Port", "Prot", 2)]
    public void Edit_distance_counts_insertions_deletions_and_substitutions(string a, string b, int distance)
    {
        Assert.Equal(distance, ConfigurationKeys.EditDistance(a, b));
        Assert.Equal(distance, ConfigurationKeys.EditDistance(b, a));
    }

    [Fact]
    public void Every_key_the_host_reads_from_the_ProxChat_section_by_name_is_known()
    {
        var sources = Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), "src"), "*.cs", SearchOption.AllDirectories);
        var readByName = sources
            .SelectMany(file => KeyReadByName().Matches(File.ReadAllText(file)).Select(match => match.Groups["key"].Value))
            .Distinct()
            .ToList();

        Assert.Contains("Metrics:Port", readByName);
        Assert.All(readByName, key => Assert.True(ConfigurationKeys.Find(key) is not null, $"ProxChat:{key} is read by the host but missing from ConfigurationKeys.ReadByHost"));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ProxChat.Scaled.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The tests run outside the repository.");
    }

    // e.g. $"{ProxChatOptions.SectionName}:Metrics:Port"
    [GeneratedRegex(@"SectionName\}:(?<key>[A-Za-z0-9:]+)""")]
    private static partial Regex KeyReadByName();

    private sealed class SampleSettings
    {
        public int Range { get; set; }

        public NestedSettings Nested { get; set; } = new();

        public List<string> Origins { get; } = [];

        public ServerSettings[] Servers { get; set; } = [];

        public Dictionary<string, int> Limits { get; set; } = [];

        public IReadOnlyList<int> Fixed { get; set; } = [];

        public int ReadOnly { get; } = 3;
    }

    private sealed class NestedSettings
    {
        public string Secret { get; set; } = "";
    }

    private sealed class ServerSettings
    {
        public string[] Urls { get; set; } = [];

        public int Ttl { get; set; }
    }
}
