using System.Runtime.CompilerServices;

namespace ProxChat.Transport.Sessions;

/// <summary>
/// The upgraded connection's stream as the WebSocket sees it, with one addition: the server can
/// ping the client on demand (<see cref="PingAsync"/>), which the WebSocket API cannot. The ping is
/// written between the WebSocket's own frames (each of which it writes whole, in one call), and
/// answered when anything at all arrives from the client after it: its pong, or any other frame.
/// A half-open socket sends nothing.
/// </summary>
public sealed class LivenessStream(Stream inner) : Stream
{
    // FIN + ping, an unmasked 8-byte payload (as the server's frames are): the WebSocket's own
    // keep-alive expects 8-byte pongs and skips one whose payload is not its own.
    private static readonly byte[] PingFrame = [0x89, 0x08, (byte)'p', (byte)'r', (byte)'o', (byte)'x', (byte)'p', (byte)'i', (byte)'n', (byte)'g'];

    private readonly SemaphoreSlim _writing = new(1, 1);
    private TaskCompletionSource<bool>? _awaitingData;

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Pings the client and waits for anything to arrive from it.</summary>
    /// <returns>False when nothing arrived within <paramref name="timeout"/>, or the connection failed.</returns>
    public async Task<bool> PingAsync(TimeSpan timeout)
    {
        var answered = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _awaitingData, answered);
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _writing.WaitAsync(deadline.Token).ConfigureAwait(false);
            try
            {
                await inner.WriteAsync(PingFrame, deadline.Token).ConfigureAwait(false);
                await inner.FlushAsync(deadline.Token).ConfigureAwait(false);
            }
            finally
            {
                _writing.Release();
            }

            return await answered.Task.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            return false;
        }
        finally
        {
            Interlocked.CompareExchange(ref _awaitingData, null, answered);
        }
    }

    // Reads and writes complete without a state machine when the inner stream's do, and with a
    // pooled one when they wait: this stream sits under every frame, and a box per read was a
    // tenth of relay throughput.
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = inner.ReadAsync(buffer, cancellationToken);
        return read.IsCompletedSuccessfully ? new ValueTask<int>(Received(read.Result)) : ReceivedAsync(read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Received(inner.Read(buffer, offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_writing.Wait(0, CancellationToken.None))
        {
            return WriteAfterPingAsync(buffer, cancellationToken);
        }

        ValueTask write;
        try
        {
            write = inner.WriteAsync(buffer, cancellationToken);
        }
        catch
        {
            _writing.Release();
            throw;
        }

        if (write.IsCompletedSuccessfully)
        {
            _writing.Release();
            return default;
        }

        return ReleaseWhenWrittenAsync(write);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        _writing.Wait();
        try
        {
            inner.Write(buffer, offset, count);
        }
        finally
        {
            _writing.Release();
        }
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writing.Release();
        }
    }

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceivedAsync(ValueTask<int> read) => Received(await read.ConfigureAwait(false));

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReleaseWhenWrittenAsync(ValueTask write)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>The slow path: a ping holds the stream.</summary>
    private async ValueTask WriteAfterPingAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writing.Release();
        }
    }

    private int Received(int read)
    {
        if (read > 0 && Volatile.Read(ref _awaitingData) is { } awaiting)
        {
            awaiting.TrySetResult(true);
        }

        return read;
    }
}
