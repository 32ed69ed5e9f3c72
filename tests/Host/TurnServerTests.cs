namespace ProxChat.Host.Tests;

/// <summary>The node's credentials against a real coturn sharing its secret.</summary>
public sealed class TurnServerTests
{
    [Fact]
    public async Task Coturn_allocates_a_relay_with_the_nodes_credentials_and_refuses_a_tampered_one()
    {
        await using var turn = await TurnServer.StartAsync(IceServersTests.Secret);
        await using var node = await TestServer.StartAsync(("Turn:Secret", IceServersTests.Secret), ("Turn:Urls:0", $"turn:127.0.0.1:{turn.Port}?transport=udp"));
        await using var alice = await TestClient.JoinAsync(node, "alice", 0, 0);

        await alice.SendAsync("RequestIceServers");
        var entry = (await alice.ExpectAsync("IceServers")).Data!["ice_servers"]![0]!;
        var (username, credential) = (entry["username"]!.GetValue<string>(), entry["credential"]!.GetValue<string>());

        var allowed = await turn.TryAllocationAsync(username, credential);
        Assert.True(allowed.ExitCode == 0 && allowed.Output.Contains("Total lost packets 0", StringComparison.Ordinal), $"the allocation failed ({allowed.ExitCode}):\n{allowed.Output}\n{turn.Log}");

        // One character of the credential changed, and the same credential for another id.
        var tampered = (credential[0] == 'A' ? "B" : "A") + credential[1..];
        foreach (var (user, password) in new[] { (username, tampered), (username.Replace(":alice", ":bob", StringComparison.Ordinal), credential) })
        {
            var refused = await turn.TryAllocationAsync(user, password);
            Assert.True(refused.ExitCode != 0 && refused.Output.Contains("Cannot complete Allocation", StringComparison.Ordinal), $"{user} / {password} was allowed ({refused.ExitCode}):\n{refused.Output}");
        }
    }
}
