using System.Diagnostics.Metrics;
using ProxChat.Transport.Protocol;
using ProxChat.Transport.Signaling;

namespace ProxChat.Transport.Diagnostics;

/// <summary>
/// The node's instruments, on the meter <c>ProxChat</c>: what an operator watches to see load,
/// refusals and a struggling store. Counters cost a check and nothing more while no one listens;
/// the two gauges are read only when collected.
/// </summary>
public sealed class ProxChatMetrics
{
    public const string MeterName = "ProxChat";

    private readonly Counter<long> _messages;
    private readonly Counter<long> _rejectedMessages;
    private readonly Counter<long> _throttledMessages;
    private readonly Counter<long> _refusedConnections;
    private readonly Counter<long> _relays;
    private readonly Histogram<double> _placementDuration;
    private readonly Counter<long> _storeUnavailable;
    private readonly Counter<long> _reapedClients;
    private readonly Histogram<double> _busProbeDuration;
    private readonly Counter<long> _refusedUpgrades;
    private readonly Counter<long> _takeovers;
    private readonly Counter<long> _throttledRelayBytes;
    private readonly Counter<long> _policyClosures;

    public ProxChatMetrics(IMeterFactory meterFactory, ConnectionSet connections, ClientRegistry clients)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableUpDownCounter("proxchat.connections", () => connections.Count, "{connection}", "Open client connections on this node, registered or not.");
        meter.CreateObservableUpDownCounter("proxchat.clients", () => clients.Count, "{client}", "Clients registered on this node.");
        _refusedConnections = meter.CreateCounter<long>("proxchat.connections.refused", "{connection}", "Connections turned away because the node held MaxConnections.");
        _messages = meter.CreateCounter<long>("proxchat.messages", "{message}", "Valid client messages received, by type.");
        _rejectedMessages = meter.CreateCounter<long>("proxchat.messages.rejected", "{message}", "Client messages refused as malformed or out of order, by type (\"unknown\" when the envelope named none).");
        _throttledMessages = meter.CreateCounter<long>("proxchat.messages.throttled", "{message}", "Relays, refreshes and disconnects dropped because their connection sent faster than MessageRateLimit allows.");
        _relays = meter.CreateCounter<long>("proxchat.relays", "{message}", "Offers, answers and ICE candidates, by outcome: delivered, refused (not nearby, unknown or self) or unavailable (the store could not be asked).");
        _placementDuration = meter.CreateHistogram<double>(
            "proxchat.placement.duration",
            "s",
            "How long placing one move took, the shared store's round trips included.",
            advice: DurationBuckets);
        _storeUnavailable = meter.CreateCounter<long>("proxchat.store.unavailable", "{message}", "Client messages not applied, or not known to be, because Redis could not be reached or did not answer in time.");
        _reapedClients = meter.CreateCounter<long>("proxchat.cluster.reaped_clients", "{client}", "Clients of dead nodes this node removed.");
        _busProbeDuration = meter.CreateHistogram<double>(
            "proxchat.cluster.bus_probe.duration",
            "s",
            "How long the node's probe of its own bus channel took to come back: Redis's pub/sub delay, and whatever the node's bus had queued ahead of it.",
            advice: DurationBuckets);
        _refusedUpgrades = meter.CreateCounter<long>("proxchat.upgrades.refused", "{request}", "WebSocket and hub requests refused before a connection existed, by reason: origin, unauthorized, per_ip, node_full, sockets (closed at once for MaxSockets).");
        _takeovers = meter.CreateCounter<long>("proxchat.takeovers", "{registration}", "Registrations of a client_id that another connection held, by outcome: refused (the holder answered its probe), probe_failed (it did not; the newcomer took over), replaced (a connection lost its client_id to a newer one).");
        _throttledRelayBytes = meter.CreateCounter<long>("proxchat.relay.throttled_bytes", "By", "Bytes of relays refused because their sender went over RelayBytesPerSecond.");
        _policyClosures = meter.CreateCounter<long>("proxchat.connections.policy_closed", "{connection}", "Connections closed with 1008 for sending invalid messages past their budget.");
        ExportZeros();
    }

    /// <summary>
    /// Every counter, with each of its tag values, at 0 from the first scrape: Prometheus's rate()
    /// and increase() need a sample before the first event, or they miss it.
    /// </summary>
    private void ExportZeros()
    {
        _refusedConnections.Add(0);
        _throttledMessages.Add(0);
        _throttledRelayBytes.Add(0);
        _policyClosures.Add(0);
        foreach (var reason in UpgradeRefusals)
        {
            _refusedUpgrades.Add(0, new KeyValuePair<string, object?>("reason", reason));
        }

        foreach (var outcome in (string[])[TakeoverArbiter.Refused, TakeoverArbiter.ProbeFailed, TakeoverArbiter.Replaced])
        {
            _takeovers.Add(0, new KeyValuePair<string, object?>("outcome", outcome));
        }

        _storeUnavailable.Add(0);
        _reapedClients.Add(0);
        foreach (var kind in Enum.GetValues<ClientMessageKind>())
        {
            if (kind != ClientMessageKind.None)
            {
                _messages.Add(0, new KeyValuePair<string, object?>("type", KindName(kind)));
            }

            _rejectedMessages.Add(0, new KeyValuePair<string, object?>("type", KindName(kind)));
        }

        foreach (var outcome in Enum.GetValues<RelayOutcome>())
        {
            Relayed(outcome, 0);
        }
    }

    private static InstrumentAdvice<double> DurationBuckets { get; } = new() { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] };

    public void MessageReceived(ClientMessageKind kind) => _messages.Add(1, new KeyValuePair<string, object?>("type", KindName(kind)));

    public void MessageRejected(ClientMessageKind kind) => _rejectedMessages.Add(1, new KeyValuePair<string, object?>("type", KindName(kind)));

    public void MessageThrottled() => _throttledMessages.Add(1);

    public void ConnectionRefused() => _refusedConnections.Add(1);

    public void Relayed(RelayOutcome outcome) => Relayed(outcome, 1);

    private void Relayed(RelayOutcome outcome, long count) =>
        _relays.Add(count, new KeyValuePair<string, object?>("outcome", outcome switch
        {
            RelayOutcome.Delivered => "delivered",
            RelayOutcome.Refused => "refused",
            _ => "unavailable",
        }));

    /// <summary>The reasons <see cref="UpgradeRefused"/> is called with.</summary>
    public static readonly string[] UpgradeRefusals = ["origin", "unauthorized", "per_ip", "node_full", "sockets"];

    public void UpgradeRefused(string reason) => _refusedUpgrades.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Takeover(string outcome) => _takeovers.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void RelayBytesThrottled(int bytes) => _throttledRelayBytes.Add(bytes);

    public void ClosedForPolicy() => _policyClosures.Add(1);

    public void Placed(TimeSpan duration) => _placementDuration.Record(duration.TotalSeconds);

    public void StoreUnavailable() => _storeUnavailable.Add(1);

    public void Reaped() => _reapedClients.Add(1);

    public void BusProbed(TimeSpan duration) => _busProbeDuration.Record(duration.TotalSeconds);

    // Literal names, so a measurement allocates no string.
    private static string KindName(ClientMessageKind kind) => kind switch
    {
        ClientMessageKind.UpdatePosition => "UpdatePosition",
        ClientMessageKind.SendOffer => "SendOffer",
        ClientMessageKind.SendAnswer => "SendAnswer",
        ClientMessageKind.SendIceCandidate => "SendIceCandidate",
        ClientMessageKind.RequestPeerRefresh => "RequestPeerRefresh",
        ClientMessageKind.Disconnect => "Disconnect",
        ClientMessageKind.RequestIceServers => "RequestIceServers",
        _ => "unknown",
    };
}

public enum RelayOutcome
{
    Delivered,
    Refused,
    Unavailable,
}
