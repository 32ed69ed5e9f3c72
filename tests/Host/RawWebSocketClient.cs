using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace ProxChat.Host.Tests;

/// <summary>
/// A bare RFC 6455 client on a TCP socket, for what <see cref="System.Net.WebSockets.ClientWebSocket"/>
/// hides: the exact frames the server sends, and a peer that never answers pings or never reads.
/// </summary>
internal sealed class RawWebSocketClient : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawWebSocketClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawWebSocketClient> ConnectAsync(IServerNode server, string path = "/", int receiveBufferSize = 0)
    {
        var tcp = new TcpClient();
        if (receiveBufferSize > 0)
        {
            tcp.ReceiveBufferSize = receiveBufferSize;
        }

        await tcp.ConnectAsync(server.HttpAddress.Host, server.HttpAddress.Port);
        var client = new RawWebSocketClient(tcp);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET {path} HTTP/1.1\r\nHost: {server.HttpAddress.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                      $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await client._stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var response = new StringBuilder();
        var one = new byte[1];
        while (!response.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            await client._stream.ReadExactlyAsync(one);
            response.Append((char)one[0]);
        }

        Assert.StartsWith("HTTP/1.1 101", response.ToString(), StringComparison.Ordinal);
        return client;
    }

    public Task SendTextAsync(string text) => SendFrameAsync(0x1, Encoding.UTF8.GetBytes(text));

    public async Task SendFrameAsync(byte opcode, byte[] payload, bool fin = true)
    {
        var header = new List<byte> { (byte)((fin ? 0x80 : 0) | opcode) };
        if (payload.Length < 126)
        {
            header.Add((byte)(0x80 | payload.Length));
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            header.Add(0x80 | 126);
            header.AddRange([(byte)(payload.Length >> 8), (byte)payload.Length]);
        }
        else
        {
            header.Add(0x80 | 127);
            var length = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(length, (ulong)payload.Length);
            header.AddRange(length);
        }

        var mask = RandomNumberGenerator.GetBytes(4);
        header.AddRange(mask);
        var masked = new byte[payload.Length];
        for (var i = 0; i < payload.Length; i++)
        {
            masked[i] = (byte)(payload[i] ^ mask[i % 4]);
        }

        await _stream.WriteAsync(header.ToArray());
        await _stream.WriteAsync(masked);
    }

    /// <summary>Reads one frame exactly as the server sent it. Pings are returned, not answered.</summary>
    /// <remarks>A silent server, a closed connection and a reset each fail with their own message.</remarks>
    public async Task<Frame> ReceiveFrameAsync()
    {
        try
        {
            return await ReadFrameAsync();
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No frame from the server within {TestClient.Deadline.TotalSeconds} s.");
        }
        catch (EndOfStreamException)
        {
            throw new IOException("The server closed the TCP connection without a (complete) frame.");
        }
    }

    private async Task<Frame> ReadFrameAsync()
    {
        using var timeout = new CancellationTokenSource(TestClient.Deadline);
        var head = new byte[2];
        await _stream.ReadExactlyAsync(head, timeout.Token);
        long length = head[1] & 0x7F;
        if (length == 126)
        {
            var ext = new byte[2];
            await _stream.ReadExactlyAsync(ext, timeout.Token);
            length = BinaryPrimitives.ReadUInt16BigEndian(ext);
        }
        else if (length == 127)
        {
            var ext = new byte[8];
            await _stream.ReadExactlyAsync(ext, timeout.Token);
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(ext);
        }

        Assert.True((head[1] & 0x80) == 0, "server frames must not be masked");
        var payload = new byte[length];
        await _stream.ReadExactlyAsync(payload, timeout.Token);
        return new Frame((head[0] & 0x80) != 0, head[0] & 0x0F, payload);
    }

    /// <summary>Whether the server has closed or reset the TCP connection.</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var sink = new byte[65536];
        try
        {
            while (await _stream.ReadAsync(sink, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => _tcp.Dispose();

    internal sealed record Frame(bool Fin, int Opcode, byte[] Payload)
    {
        public string Text => Encoding.UTF8.GetString(Payload);
    }
}
