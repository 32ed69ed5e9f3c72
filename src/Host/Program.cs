using ProxChat.Host;

if (args is [HealthProbe.Command, ..])
{
    return await HealthProbe.RunAsync(args).ConfigureAwait(false);
}

if (args is [TokenCommand.Command, ..])
{
    return TokenCommand.Run(args);
}

await ProxChatServer.Build(args).RunAsync().ConfigureAwait(false);
return 0;
