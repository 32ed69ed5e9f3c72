using System.Globalization;

namespace ProxChat.Load;

internal sealed record LoadOptions
{
    /// <summary>One or more server addresses (<c>--url a,b,c</c>); client i connects to the (i mod n)-th.</summary>
    public Uri[] Urls { get; init; } = [new("ws://127.0.0.1:8080/")];

    /// <summary><c>proxchat</c>, or <c>peerjs</c> for the PeerJS server's protocol (ping-pong only).</summary>
    public string Protocol { get; init; } = "proxchat";

    /// <summary><c>walk</c>: random walks with offers between introduced peers. <c>pingpong</c>: fixed pairs relaying as fast as they can.</summary>
    public string Mode { get; init; } = "walk";

    public int Clients { get; init; } = 1000;

    /// <summary>UpdatePosition per client per second (walk).</summary>
    public double Rate { get; init; } = 1;

    /// <summary>Chance per update that a client also offers to one of its peers (walk).</summary>
    public double OfferChance { get; init; } = 0.2;

    /// <summary>Offers in flight per pair (pingpong).</summary>
    public int Window { get; init; } = 4;

    public int PayloadBytes { get; init; } = 1000;

    public double RampSeconds { get; init; } = 10;

    public double DurationSeconds { get; init; } = 30;

    public static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            options = args[i] switch
            {
                "--url" => options with { Urls = [.. value.Split(',').Select(url => new Uri(url))] },
                "--protocol" => options with { Protocol = value },
                "--mode" => options with { Mode = value },
                "--clients" => options with { Clients = int.Parse(value, CultureInfo.InvariantCulture) },
                "--rate" => options with { Rate = double.Parse(value, CultureInfo.InvariantCulture) },
                "--offer-chance" => options with { OfferChance = double.Parse(value, CultureInfo.InvariantCulture) },
                "--window" => options with { Window = int.Parse(value, CultureInfo.InvariantCulture) },
                "--payload" => options with { PayloadBytes = int.Parse(value, CultureInfo.InvariantCulture) },
                "--ramp" => options with { RampSeconds = double.Parse(value, CultureInfo.InvariantCulture) },
                "--duration" => options with { DurationSeconds = double.Parse(value, CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"Unknown option {args[i]}. See README (Benchmarks)."),
            };
        }

        if (options.Protocol == "peerjs" && options.Mode != "pingpong")
        {
            throw new ArgumentException("The PeerJS server has no positions: use --mode pingpong with --protocol peerjs.");
        }

        return options;
    }
}
