using ProxChat.Host;

if (args is [HealthProbe.Command, ..])
{
    return await HealthProbe.RunAsync(args).ConfigureAwait(false);
}

await ProxChatServer.Build(args).RunAsync().ConfigureAwait(false);
return 0;
