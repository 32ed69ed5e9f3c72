namespace ProxChat.Client.Tests;

/// <summary>Finds files of the repository this test was built from.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ProxChat.Scaled.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No ProxChat.Scaled.sln above {AppContext.BaseDirectory}.");
    }
}
