using System.Net.WebSockets;

namespace ProxChat.Client.Transport;

/// <summary>
/// One open WebSocket to the server: sends one message per frame, one sender at a time, and reads
/// until the socket ends. Replaced by a new one on every reconnect.
/// </summary>
internal sealed class ServerConnection : IDisposable
{
    private const int ReceiveBufferBytes = 16 * 1024;
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(2);

    private readonly WebSocket _socket;
    private readonly MessageAssembler _assembler;

    // ClientWebSocket allows one send at a time, and a frame must never interleave with another.
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public ServerConnection(WebSocket socket, int maxReceiveMessageBytes)
    {
        _socket = socket;
        _assembler = new MessageAssembler(maxReceiveMessageBytes);
    }

    public bool IsOpen => _socket.State == WebSocketState.Open;

    /// <summary>Sends one message as a single, complete text frame.</summary>
    public async Task SendAsync(byte[] utf8Json, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(new ArraySegment<byte>(utf8Json), WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Reads messages and hands each whole one to <paramref name="onMessage"/>, until the socket closes or breaks.</summary>
    /// <param name="onMessage">Gets each complete text message; the memory is valid only during the call.</param>
    /// <param name="onDropped">Told of each message dropped whole (binary, too large).</param>
    public async Task<ConnectionEnd> ReceiveAsync(Action<ReadOnlyMemory<byte>> onMessage, Action<AssemblyOutcome> onDropped)
    {
        var buffer = new byte[ReceiveBufferBytes];
        try
        {
            while (true)
            {
                var received = await _socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await AcknowledgeCloseAsync().ConfigureAwait(false);
                    return ConnectionEnd.Closed((int?)_socket.CloseStatus, _socket.CloseStatusDescription);
                }

                var outcome = _assembler.Append(buffer.AsSpan(0, received.Count), received.EndOfMessage, received.MessageType == WebSocketMessageType.Binary);
                if (outcome == AssemblyOutcome.Complete)
                {
                    onMessage(_assembler.Message);
                }
                else if (outcome != AssemblyOutcome.Incomplete)
                {
                    onDropped(outcome);
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // Aborted by this client, or the network or the server went away without a close frame.
            return ConnectionEnd.Lost(exception);
        }
    }

    /// <summary>Ends the socket at once, without a close handshake; a pending receive returns.</summary>
    public void Abort() => _socket.Abort();

    public void Dispose() => _socket.Dispose();

    private async Task AcknowledgeCloseAsync()
    {
        if (_socket.State != WebSocketState.CloseReceived)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(CloseHandshakeTimeout);
        try
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The server got its close frame or has gone: either way the connection is over.
        }
    }
}
