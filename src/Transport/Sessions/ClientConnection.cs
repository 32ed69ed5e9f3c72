using System.Net.WebSockets;
using ProxChat.Proximity;
using ProxChat.Transport.Protocol;

namespace ProxChat.Transport.Sessions;

/// <summary>
/// One client connection, whatever carries it. Holds the identity the connection registered and
/// the liveness clock; the transport supplies sending and closing.
/// </summary>
public abstract class ClientConnection
{
    private static long s_nextId;

    private long _lastPositionAt;
    private long _nextReintroductionAt;
    private long _nextIceRefreshAt = NoIceRefresh;
    private Task<bool>? _probe;

    /// <param name="limits">How fast the client may send; null for no limits.</param>
    /// <param name="identity">Who the connection's token says it is; null without authentication.</param>
    protected ClientConnection(long connectedAt, ConnectionLimits? limits = null, ConnectionIdentity? identity = null)
    {
        Id = Interlocked.Increment(ref s_nextId);
        _lastPositionAt = connectedAt;
        Limits = limits ?? ConnectionLimits.None;
        Identity = identity;
    }

    /// <summary>Process-unique, for logs and the connection set.</summary>
    public long Id { get; }

    /// <summary>The client_id this connection registered with its first UpdatePosition; never changes after.</summary>
    public string? ClientId { get; private set; }

    /// <summary>The registered client's place in the proximity world, shared by every connection that takes it over.</summary>
    public ProximityMember? Member { get; private set; }

    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(ClientId), nameof(Member))]
    public bool IsRegistered => ClientId is not null;

    /// <summary>Timestamp (<see cref="TimeProvider.GetTimestamp"/>) of the last UpdatePosition, or of connecting.</summary>
    public long LastPositionAt => Volatile.Read(ref _lastPositionAt);

    public long NextReintroductionAt => Volatile.Read(ref _nextReintroductionAt);

    /// <summary>When the client, having asked for ICE servers, is due fresh TURN credentials; <see cref="NoIceRefresh"/> until it asks.</summary>
    public long NextIceRefreshAt => Volatile.Read(ref _nextIceRefreshAt);

    public const long NoIceRefresh = long.MaxValue;

    public ConnectionLimits Limits { get; }

    public ConnectionIdentity? Identity { get; }

    /// <summary>The registered client's moves on their way into the presence store.</summary>
    public Signaling.PositionPump Positions { get; } = new();

    /// <summary>Queues a message without waiting. Never throws; a connection that cannot keep up is dropped.</summary>
    public abstract void Send(in ServerMessage message);

    /// <summary>Queues a relay if the client's queue has room for it; never closes the connection.</summary>
    /// <returns>False when the client is behind on reading (or closing): its senders are told it is busy.</returns>
    public abstract bool TrySendRelay(in ServerMessage message);

    /// <summary>Sends what is queued, then closes with the given code. Only the first request counts.</summary>
    public abstract void Close(WebSocketCloseStatus status, string reason);

    /// <summary>
    /// Whether the client on the other end still answers: asked when another connection wants its
    /// client_id. Probes that overlap share one, so a crowd of impostors costs the client one ping.
    /// </summary>
    /// <returns>False when it did not answer within <paramref name="timeout"/>, or is gone.</returns>
    public Task<bool> ProbeAsync(TimeSpan timeout)
    {
        var current = Volatile.Read(ref _probe);
        if (current is { IsCompleted: false })
        {
            return current;
        }

        var next = ProbeTransportAsync(timeout);
        return Interlocked.CompareExchange(ref _probe, next, current) == current ? next : Volatile.Read(ref _probe)!;
    }

    /// <summary>Asks the transport for a sign of life: a WebSocket ping, a hub invocation.</summary>
    protected abstract Task<bool> ProbeTransportAsync(TimeSpan timeout);

    internal void Register(string clientId, ProximityMember member, long now, long reintroductionTicks)
    {
        ClientId = clientId;
        Member = member;
        Volatile.Write(ref _nextReintroductionAt, now + reintroductionTicks);
    }

    internal void TouchPosition(long now) => Volatile.Write(ref _lastPositionAt, now);

    internal void ScheduleReintroduction(long at) => Volatile.Write(ref _nextReintroductionAt, at);

    internal void ScheduleIceRefresh(long at) => Volatile.Write(ref _nextIceRefreshAt, at);
}
