using ProxChat.Host;

await ProxChatServer.Build(args).RunAsync().ConfigureAwait(false);
