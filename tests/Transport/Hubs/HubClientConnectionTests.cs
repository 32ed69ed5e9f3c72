using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using ProxChat.Transport.Hubs;
using ProxChat.Transport.Protocol;
using ProxChat.Transport.Sessions;

namespace ProxChat.Transport.Tests.Hubs;

public sealed class HubClientConnectionTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_message_for_a_client_left_open_after_Disconnect_is_dropped_and_the_connection_left_open()
    {
        using var context = new RecordingCallerContext();
        var client = new RecordingClient(blocks: false);
        var connection = new HubClientConnection(client, context, new OutgoingMessages(messageLimit: 2, payloadByteLimit: 1_000_000), 0, null);

        // What Disconnect does: the client stops the connection itself.
        connection.Close(CloseCodes.Normal, string.Empty);
        await connection.Sending.WaitAsync(Deadline);
        connection.Send(ServerMessage.Error("after Disconnect"));

        Assert.Equal(0, context.Aborts);
        Assert.Empty(client.Methods);
    }

    [Fact]
    public async Task A_client_that_does_not_read_is_aborted_once_when_its_queue_is_full()
    {
        using var context = new RecordingCallerContext();
        var client = new RecordingClient(blocks: true);
        var connection = new HubClientConnection(client, context, new OutgoingMessages(messageLimit: 1, payloadByteLimit: 1_000_000), 0, null);

        // The first message is taken by the send loop, which then waits on the client for good.
        connection.Send(ServerMessage.Error("one"));
        await client.FirstSend.WaitAsync(Deadline);
        connection.Send(ServerMessage.Error("two"));
        Assert.Equal(0, context.Aborts);

        connection.Send(ServerMessage.Error("three"));
        connection.Send(ServerMessage.Error("four"));

        Assert.Equal(1, context.Aborts);
        await connection.Sending.WaitAsync(Deadline);
    }

    /// <summary>Records invocations; a blocking client never finishes one until the connection is aborted.</summary>
    private sealed class RecordingClient(bool blocks) : ISingleClientProxy
    {
        private readonly TaskCompletionSource _firstSend = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<string> Methods { get; } = [];

        public Task FirstSend => _firstSend.Task;

        public Task SendCoreAsync(string method, object?[] args, CancellationToken cancellationToken = default)
        {
            lock (Methods)
            {
                Methods.Add(method);
            }

            _firstSend.TrySetResult();
            return blocks ? Task.Delay(Timeout.Infinite, cancellationToken) : Task.CompletedTask;
        }

        public Task<T> InvokeCoreAsync<T>(string method, object?[] args, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    private sealed class RecordingCallerContext : HubCallerContext, IDisposable
    {
        private readonly CancellationTokenSource _aborted = new();
        private int _aborts;

        public int Aborts => Volatile.Read(ref _aborts);

        public override string ConnectionId => "test";

        public override string? UserIdentifier => null;

        public override ClaimsPrincipal? User => null;

        public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();

        public override IFeatureCollection Features { get; } = new FeatureCollection();

        public override CancellationToken ConnectionAborted => _aborted.Token;

        public override void Abort()
        {
            Interlocked.Increment(ref _aborts);
            _aborted.Cancel();
        }

        public void Dispose() => _aborted.Dispose();
    }
}
