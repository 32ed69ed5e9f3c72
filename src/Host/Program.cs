using ProxChat.Host;

if (args is [HealthProbe.Command, ..])
{
    return await HealthProbe.RunAsync(args).ConfigureAwait(false);
}

if (args is [TokenCommand.Command, ..])
{
    return TokenCommand.Run(args);
}

try
{
    var app = ProxChatServer.Build(args);
    UnknownKeyWarning.Log(app);
    await app.RunAsync().ConfigureAwait(false);
}
catch (Exception exception) when (ConfigurationErrors.IsConfigurationError(exception))
{
    // The server has not started: say what to fix, one line each, without a stack trace.
    foreach (var line in ConfigurationErrors.Describe(exception, ServerConfiguration.Read(args)))
    {
        await Console.Error.WriteLineAsync(line).ConfigureAwait(false);
    }

    return ConfigurationErrors.ExitCode;
}

return 0;
