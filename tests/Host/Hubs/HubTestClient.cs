using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;

namespace ProxChat.Host.Tests.Hubs;

/// <summary>A client on the SignalR hub, with the official .NET SignalR client, recording every callback.</summary>
internal sealed class HubTestClient : IAsyncDisposable
{
    private static readonly string[] Callbacks = ["NearbyPeers", "ReceiveOffer", "ReceiveAnswer", "ReceiveIceCandidate", "Error", "IceServers"];
    private readonly Channel<(string Method, JsonElement Argument)> _inbox = Channel.CreateUnbounded<(string, JsonElement)>();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? _schemaViolation;

    private HubTestClient(HubConnection connection) => Connection = connection;

    public HubConnection Connection { get; }

    public static async Task<HubTestClient> ConnectAsync(IServerNode server)
    {
        var connection = new HubConnectionBuilder().WithUrl(new Uri(server.HttpAddress, "/hub")).Build();
        var client = new HubTestClient(connection);
        foreach (var method in Callbacks)
        {
            connection.On<JsonElement>(method, argument =>
            {
                // A callback carries what the raw socket's message of that type carries as its data.
                client._schemaViolation ??= ProtocolSchema.ServerMessageViolation($$"""{"type":"{{method}}","data":{{argument.GetRawText()}}}""");
                client._inbox.Writer.TryWrite((method, argument));
            });
        }

        // Not the end of the inbox: the client raises Closed before it has run the callbacks for
        // the last messages it received, so an Error sent just before the close can follow it.
        connection.Closed += _ =>
        {
            client._closed.TrySetResult();
            return Task.CompletedTask;
        };
        try
        {
            await connection.StartAsync();
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        return client;
    }

    /// <summary>Connects, registers at (x, y) on map 1 and consumes the first NearbyPeers.</summary>
    public static async Task<HubTestClient> JoinAsync(IServerNode server, string id, int x, int y)
    {
        var client = await ConnectAsync(server);
        await client.MoveAsync(id, x, y);
        await client.ExpectAsync("NearbyPeers");
        return client;
    }

    public Task MoveAsync(string id, int x, int y) =>
        Connection.InvokeAsync("UpdatePosition", new Dictionary<string, object> { ["client_id"] = id, ["map_id"] = 1, ["x"] = x, ["y"] = y });

    public Task RelayAsync(string method, string target, string field, string payload) =>
        Connection.InvokeAsync(method, new Dictionary<string, object> { ["target_id"] = target, [field] = payload });

    public async Task<JsonElement> ExpectAsync(string method)
    {
        var (received, argument) = await _inbox.Reader.ReadAsync().AsTask().WaitAsync(TestClient.Deadline);
        FailOnSchemaViolation();
        Assert.True(received == method, $"expected {method}, got {received}: {argument}");
        return argument;
    }

    public async Task ExpectPeersAsync(params string[] peers) =>
        Assert.Equal(peers.Order(StringComparer.Ordinal), (await ExpectAsync("NearbyPeers")).EnumerateArray().Select(e => e.GetString()).Order(StringComparer.Ordinal));

    public Task WaitClosedAsync() => _closed.Task.WaitAsync(TestClient.Deadline);

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        FailOnSchemaViolation();
    }

    /// <summary>Fails the test if the hub called back with anything docs/protocol.schema.json does not allow.</summary>
    private void FailOnSchemaViolation()
    {
        if (_schemaViolation is { } violation)
        {
            Assert.Fail($"the hub sent a callback outside the protocol: {violation}");
        }
    }
}
