using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ProxChat.Proximity;
using ProxChat.Transport.Diagnostics;
using ProxChat.Transport.Presence;
using ProxChat.Transport.Protocol;
using ProxChat.Transport.Sessions;
using ProxChat.Transport.Signaling;

namespace ProxChat.Transport.Tests.Signaling;

/// <summary>
/// A reintroduction waits for the client's move in flight, so its snapshot cannot show a link
/// before the peer's side of it is told; but not for longer than a second, so a store that holds a
/// move back cannot hold back the reintroduction (or the sweep that waits for it) too.
/// </summary>
public sealed class ReintroductionTests : IDisposable
{
    private static readonly TimeSpan RealDeadline = TimeSpan.FromSeconds(10);
    private static readonly PeerSnapshot Peers = new(["b"], 7);

    private readonly FakeTimeProvider _time = new();
    private readonly HeldMoves _store = new();
    private readonly RecordingConnection _connection;
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly SignalingService _signaling;

    public ReintroductionTests()
    {
        _connection = new RecordingConnection(_time.GetTimestamp());
        var registry = new ClientRegistry();
        var options = Options.Create(new ProxChatOptions { PositionRateLimit = 0 }); // moves placed as they come, on a clock that stands still
        var metrics = new ProxChatMetrics(_services.GetRequiredService<IMeterFactory>(), new ConnectionSet(), registry);
        _signaling = new SignalingService(
            _store,
            registry,
            new LocalMessageDelivery(registry),
            new TakeoverArbiter(registry, new NoRemoteOwners(), options, metrics, NullLogger<TakeoverArbiter>.Instance),
            new ProxChat.Transport.Ice.IceServerIssuer(options, _time),
            options,
            _time,
            metrics,
            NullLogger<SignalingService>.Instance);
    }

    [Fact]
    public async Task A_reintroduction_sends_the_set_once_the_move_in_flight_is_placed()
    {
        await StartMoveInFlightAsync();

        var reintroduction = _signaling.ReintroduceAsync(_connection, _time.GetTimestamp(), CancellationToken.None).AsTask();

        Assert.False(reintroduction.IsCompleted);
        Assert.Empty(_connection.Sent);
        _store.Move.SetResult(new Placement([], Claimed: false));
        await reintroduction.WaitAsync(RealDeadline);
        Assert.Equal(Peers, Assert.Single(_connection.Sent).Peers);
    }

    [Fact]
    public async Task A_reintroduction_waits_at_most_a_second_for_a_move_that_is_not_placed()
    {
        await StartMoveInFlightAsync();

        var reintroduction = _signaling.ReintroduceAsync(_connection, _time.GetTimestamp(), CancellationToken.None).AsTask();

        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(reintroduction.IsCompleted);
        Assert.Empty(_connection.Sent);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await reintroduction.WaitAsync(RealDeadline);
        Assert.Equal(Peers, Assert.Single(_connection.Sent).Peers);
    }

    public void Dispose() => _services.Dispose();

    /// <summary>Registers the client (answered with its set), then moves it with a placement the store holds back.</summary>
    private async Task StartMoveInFlightAsync()
    {
        await _signaling.HandleAsync(_connection, UpdatePosition(0), CancellationToken.None);
        Assert.Equal(Peers, Assert.Single(_connection.Sent).Peers);
        _connection.Sent.Clear();

        await _signaling.HandleAsync(_connection, UpdatePosition(1), CancellationToken.None);
        Assert.True(_store.MoveStarted.Task.IsCompleted, "the move did not reach the store");
    }

    private static ClientMessage UpdatePosition(int x)
    {
        var json = Encoding.UTF8.GetBytes($$$"""{"type":"UpdatePosition","data":{"client_id":"a","map_id":1,"x":{{{x}}},"y":0}}""");
        Assert.True(ClientMessageParser.TryParse(json, out var message, out var error), error);
        return message;
    }

    /// <summary>Places the first time at once; holds every later placement until the test completes <see cref="Move"/>.</summary>
    private sealed class HeldMoves : IPresenceStore
    {
        public TaskCompletionSource<Placement> Move { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource MoveStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask<Placement> PlaceAsync(ClientConnection connection, Location location, bool isFirst, CancellationToken cancellationToken)
        {
            if (isFirst)
            {
                return ValueTask.FromResult(new Placement([], Claimed: true));
            }

            MoveStarted.TrySetResult();
            return new ValueTask<Placement>(Move.Task);
        }

        public ValueTask<PeerSnapshot> SnapshotAsync(ClientConnection connection, CancellationToken cancellationToken) => ValueTask.FromResult(Peers);

        public ValueTask<IReadOnlyList<PeerChange>> RemoveAsync(ClientConnection connection, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<PeerChange>>([]);

        public ValueTask<RelayCheck> CheckRelayAsync(ClientConnection sender, string targetId, CancellationToken cancellationToken) =>
            ValueTask.FromResult(RelayCheck.Allowed);
    }

    private sealed class RecordingConnection(long connectedAt) : ClientConnection(connectedAt)
    {
        public ConcurrentQueue<ServerMessage> Sent { get; } = new();

        public override void Send(in ServerMessage message) => Sent.Enqueue(message);

        public override bool TrySendRelay(in ServerMessage message)
        {
            Send(message);
            return true;
        }

        public override void Close(WebSocketCloseStatus status, string reason)
        {
        }

        protected override Task<bool> ProbeTransportAsync(TimeSpan timeout) => Task.FromResult(true);
    }
}
