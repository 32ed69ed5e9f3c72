namespace ProxChat.Host;

/// <summary>The server's configuration as <see cref="ProxChatServer.Build"/> reads it, for describing a start-up that failed before it had one.</summary>
internal static class ServerConfiguration
{
    public static IConfiguration Read(string[] args) =>
        WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory }).Configuration;
}
