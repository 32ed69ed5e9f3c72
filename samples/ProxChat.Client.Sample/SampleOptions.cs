using System.Globalization;

namespace ProxChat.Client.Sample;

/// <summary>The sample's command line.</summary>
internal sealed class SampleOptions
{
    public const string Usage = """
        usage: ProxChat.Client.Sample [--url ws://127.0.0.1:8080/] [--id walker-<random>] [--map 1]
                                      [--walk circle|random] [--radius 30] [--token <jwt>] [--seconds <n>]
          --url      the server's WebSocket address
          --id       this client's id
          --map      the map to walk on
          --walk     a circle around the origin, or a random walk from it
          --radius   the circle's radius, or how far the random walk may stray, in game units
          --token    an access token, for a server with authentication on
          --seconds  stop after this long (default: run until Ctrl+C)
        """;

    public Uri Url { get; private set; } = new("ws://127.0.0.1:8080/");

    public string Id { get; private set; } = "walker-" + Random.Shared.Next(1000, 10000).ToString(CultureInfo.InvariantCulture);

    public int Map { get; private set; } = 1;

    public bool RandomWalk { get; private set; }

    public int Radius { get; private set; } = 30;

    public string? Token { get; private set; }

    public TimeSpan? Duration { get; private set; }

    /// <returns>The options, or null with <paramref name="error"/> set when the command line is wrong.</returns>
    public static SampleOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        var options = new SampleOptions();
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            if (value is null)
            {
                error = $"{args[i]} needs a value";
                return null;
            }

            switch (args[i++])
            {
                case "--url" when Uri.TryCreate(value, UriKind.Absolute, out var url):
                    options.Url = url;
                    break;
                case "--id":
                    options.Id = value;
                    break;
                case "--map" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var map):
                    options.Map = map;
                    break;
                case "--walk" when value is "circle" or "random":
                    options.RandomWalk = value == "random";
                    break;
                case "--radius" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var radius) && radius > 0:
                    options.Radius = radius;
                    break;
                case "--token":
                    options.Token = value;
                    break;
                case "--seconds" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0:
                    options.Duration = TimeSpan.FromSeconds(seconds);
                    break;
                default:
                    error = $"not understood: {args[i - 1]} {value}";
                    return null;
            }
        }

        return options;
    }
}
