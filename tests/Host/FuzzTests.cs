using System.Net.WebSockets;
using ProxChat.Fuzzing;
using ProxChat.Transport.Signaling;

namespace ProxChat.Host.Tests;

/// <summary>
/// Ten thousand damaged frames against a real node, seeded so a failure replays: the node answers
/// what it answers, closes what it closes, and a bystander on the same node hears nothing of it.
/// Each frame is followed by a valid refresh, and the next frame waits for its answer, so every
/// frame reaches the parser (sent blind, most would land behind a close and be discarded unread).
/// The message rate limit is off, so frames reach the signaling rules behind the parser too.
/// bench/fuzz.sh runs a million the same way.
/// </summary>
public sealed class FuzzTests
{
    private const int Frames = 10_000;
    private const int Seed = 20_261_204;

    [Fact]
    public async Task Ten_thousand_mutated_frames_disturb_no_bystander_and_leave_nothing_behind()
    {
        await using var server = await TestServer.StartAsync(("MessageRateLimit", "0"));
        await using var bystander = await TestClient.JoinAsync(server, "bystander", 0, 0, mapId: 1, channel: 777, gameId: 12_345);
        var mutator = new FrameMutator(Seed);

        var fuzzers = 1;
        var fuzzer = await TestClient.JoinAsync(server, "fuzz", 0, 0);
        for (var i = 0; i < Frames; i++)
        {
            if (fuzzer.Closed.IsCompleted || fuzzer.IsAborted)
            {
                // Closed for its bad input (1008, 1007 for invalid UTF-8, 1009 for size), or by a
                // Disconnect the mutations made: a new fuzzer carries on.
                await fuzzer.DisposeAsync();
                fuzzer = await TestClient.JoinAsync(server, "fuzz", 0, 0);
                fuzzers++;
            }

            var (payload, binary) = mutator.Next();
            await SendAndSettleAsync(fuzzer, payload, binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text);
        }

        await fuzzer.DisposeAsync();
        Assert.True(fuzzers > 1, "no fuzzer was ever closed: the frames were not bad enough to test anything");

        // Nothing leaked: every fuzzer's connection and client are gone, the bystander's remain.
        await Eventually.HoldsAsync(
            () => server.Get<ConnectionSet>().Count == 1 && server.Get<ClientRegistry>().Count == 1,
            TestClient.Deadline,
            () => $"{server.Get<ConnectionSet>().Count} connections and {server.Get<ClientRegistry>().Count} clients left");
        Assert.Null(await bystander.TryNextAsync(TimeSpan.FromMilliseconds(500)));
        Assert.Empty(await bystander.RefreshAsync());

        // And the node still does its job.
        await using var a = await TestClient.JoinAsync(server, "a", 0, 0);
        await using var b = await TestClient.JoinAsync(server, "b", 1, 1);
        await a.ExpectPeersAsync("b");
        await a.SendRelayAsync("SendOffer", "b", "offer", "after the storm");
        Assert.Equal("after the storm", (await b.ExpectAsync("ReceiveOffer")).Data!["offer"]!.GetValue<string>());
    }

    /// <summary>Sends the frame and a refresh, and reads until the refresh's answer, or the close.</summary>
    private static async Task SendAndSettleAsync(TestClient fuzzer, byte[] payload, WebSocketMessageType type)
    {
        try
        {
            await fuzzer.SendBytesAsync(payload, type);
            if (type == WebSocketMessageType.Text && !System.Text.Unicode.Utf8.IsValid(payload))
            {
                // The node's WebSocket fails the connection (1007) at once; its closing handshake
                // would only slow the fuzzer down.
                fuzzer.Abort();
                return;
            }

            await fuzzer.SendAsync("RequestPeerRefresh");
            while (true)
            {
                var next = await fuzzer.TryNextAsync(TestClient.Deadline) ?? throw new TimeoutException("the node stopped answering the fuzzer");
                if (next.Type == "NearbyPeers")
                {
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or InvalidOperationException)
        {
            // Closed by the node, mid-send or while the fuzzer waited: the caller reconnects.
        }
    }
}
