using System.Net.WebSockets;

namespace ProxChat.Client.Transport;

/// <summary>Opens a <see cref="ClientWebSocket"/> to the server with the options' token and settings, and turns failures into <see cref="ProxChatConnectException"/>.</summary>
internal static class WebSocketConnector
{
    public static async Task<ServerConnection> ConnectAsync(ProxChatClientOptions options, CancellationToken cancellationToken)
    {
        var token = await AccessTokenAsync(options, cancellationToken).ConfigureAwait(false);
        var uri = options.ServerUri;
        var socket = new ClientWebSocket();
        try
        {
            if (!string.IsNullOrEmpty(token))
            {
                if (options.AccessTokenPlacement == AccessTokenPlacement.Query)
                {
                    uri = WithQueryParameter(uri, "access_token", token!);
                }
                else
                {
                    socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
                }
            }
#if NET
            // So that a refused upgrade tells its HTTP status (401, 403) instead of only failing.
            socket.Options.CollectHttpResponseDetails = true;
#endif
            options.ConfigureWebSocket?.Invoke(socket.Options);

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.ConnectTimeout);
            try
            {
                await socket.ConnectAsync(uri, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ProxChatConnectException(CloseReason.ConnectFailed, null, $"No connection to {options.ServerUri} within {options.ConnectTimeout}.", exception);
            }
            catch (Exception exception) when (exception is WebSocketException or HttpRequestException or IOException)
            {
                var status = HttpStatusOf(socket);
                var reason = CloseReasons.FromHttpStatus(status);
                var message = status is { } code
                    ? $"The server at {options.ServerUri} refused the WebSocket upgrade with HTTP {code}."
                    : $"Could not connect to {options.ServerUri}: {exception.Message}";
                throw new ProxChatConnectException(reason, status, message, exception);
            }

            return new ServerConnection(socket, options.MaxReceiveMessageBytes);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<string?> AccessTokenAsync(ProxChatClientOptions options, CancellationToken cancellationToken)
    {
        if (options.AccessTokenProvider is not { } provider)
        {
            return options.AccessToken;
        }

        try
        {
            return await provider(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (!(exception is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // The application's provider may fail in any way (its own HTTP call, say); a reconnect
            // attempt reports it and tries again later, as with any failed attempt.
            throw new ProxChatConnectException(CloseReason.ConnectFailed, null, $"The access token provider failed: {exception.Message}", exception);
        }
    }

    internal static Uri WithQueryParameter(Uri uri, string name, string value)
    {
        var builder = new UriBuilder(uri);
        var parameter = Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(value);
        var query = builder.Query.TrimStart('?');
        builder.Query = query.Length == 0 ? parameter : query + "&" + parameter;
        return builder.Uri;
    }

    private static int? HttpStatusOf(ClientWebSocket socket)
    {
#if NET
        var status = (int)socket.HttpStatusCode;
        return status == 0 ? null : status;
#else
        _ = socket;
        return null;
#endif
    }
}
