namespace ProxChat.Host;

/// <summary>Warns at start-up of each key under <c>ProxChat:</c> that nothing reads, naming the nearest known key.</summary>
internal static partial class UnknownKeyWarning
{
    public const string Category = "ProxChat.Host.Configuration";

    public static string Text(string key, string nearest) => $"{key} is not a setting and is ignored; did you mean {nearest}?";

    public static void Log(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        foreach (var (key, nearest) in ConfigurationKeys.Unknown(app.Configuration))
        {
            UnknownKey(logger, key, nearest);
        }
    }

    [LoggerMessage(71, LogLevel.Warning, "{Key} is not a setting and is ignored; did you mean {Nearest}?")]
    private static partial void UnknownKey(ILogger logger, string key, string nearest);
}
