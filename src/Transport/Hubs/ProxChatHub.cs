using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using ProxChat.Transport.Protocol;
using ProxChat.Transport.Sessions;
using ProxChat.Transport.Signaling;

namespace ProxChat.Transport.Hubs;

/// <summary>
/// The protocol as a SignalR hub. Each method takes the raw message's <c>data</c> as its one
/// argument (none for RequestPeerRefresh, RequestIceServers and Disconnect), is validated by the same parser and
/// handled by the same <see cref="SignalingService"/>, so hub and raw clients are one world.
/// SignalR runs one invocation per connection at a time, so a client's messages stay in order.
/// </summary>
public sealed class ProxChatHub(
    SignalingService signaling,
    ConnectionSet connections,
    ConnectionIdentities identities,
    ConnectionsPerAddress addresses,
    IHubContext<ProxChatHub> hubContext,
    IOptions<ProxChatOptions> options,
    TimeProvider time) : Hub
{
    private const string ConnectionKey = "proxchat.connection";
    private const string AddressKey = "proxchat.address";

    public override Task OnConnectedAsync()
    {
        var settings = options.Value;
        var identity = identities.Of(Context.User);

        // The gate in front of the hub checked the negotiation; this is the connection itself,
        // whose own request may have come without the token or from an address now full.
        var address = settings.Auth.IsEnabled && identity is null ? null : addresses.TryAcquire(Context.GetHttpContext()?.Connection.RemoteIpAddress);
        if (address is null)
        {
            Context.Abort();
            return Task.CompletedTask;
        }

        Context.Items[AddressKey] = address;
        var connection = new HubClientConnection(
            Clients.Caller,
            Context,
            new OutgoingMessages(settings.SendQueueLimit, settings.SendQueueByteLimit),
            time.GetTimestamp(),
            ConnectionLimits.Create(settings),
            identity,
            hubContext.Clients.Client(Context.ConnectionId));
        Context.Items[ConnectionKey] = connection;
        connections.Add(connection);
        return Task.CompletedTask;
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (!Context.Items.TryGetValue(ConnectionKey, out var item) || item is not HubClientConnection connection)
        {
            return;
        }

        addresses.Release(Context.Items[AddressKey] as System.Net.IPAddress);
        connections.Remove(connection);
        connection.Disconnected();
        await signaling.ConnectionClosedAsync(connection, CancellationToken.None).ConfigureAwait(false);
    }

    private HubClientConnection Connection => (HubClientConnection)Context.Items[ConnectionKey]!;

    public Task UpdatePosition(JsonElement data) => HandleAsync(ClientMessageKind.UpdatePosition, data);

    public Task SendOffer(JsonElement data) => HandleAsync(ClientMessageKind.SendOffer, data);

    public Task SendAnswer(JsonElement data) => HandleAsync(ClientMessageKind.SendAnswer, data);

    public Task SendIceCandidate(JsonElement data) => HandleAsync(ClientMessageKind.SendIceCandidate, data);

    public Task RequestPeerRefresh() => HandleAsync(ClientMessageKind.RequestPeerRefresh, default);

    public Task Disconnect() => HandleAsync(ClientMessageKind.Disconnect, default);

    public Task RequestIceServers() => HandleAsync(ClientMessageKind.RequestIceServers, default);

    private async Task HandleAsync(ClientMessageKind kind, JsonElement data)
    {
        var connection = Connection;
        var json = data.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? [] : JsonSerializer.SerializeToUtf8Bytes(data, ProtocolJsonContext.Default.JsonElement);
        if (ClientMessageParser.TryParseData(kind, json, out var message, out var error))
        {
            await signaling.HandleAsync(connection, message, Context.ConnectionAborted).ConfigureAwait(false);
        }
        else
        {
            signaling.Reject(connection, kind, error);
        }
    }
}
