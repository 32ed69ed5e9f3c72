namespace ProxChat.Client.Sample;

/// <summary>Endless walks, one point per step, in integer game units around the origin.</summary>
internal static class Paths
{
    /// <summary>Once round the circle every 200 steps (20 s at the sample's pace).</summary>
    public static IEnumerable<(int X, int Y)> Circle(int radius)
    {
        for (var step = 0L; ; step++)
        {
            var angle = 2 * Math.PI * (step % 200) / 200;
            yield return ((int)Math.Round(radius * Math.Cos(angle)), (int)Math.Round(radius * Math.Sin(angle)));
        }
    }

    /// <summary>One unit at a time in a random direction, never further than <paramref name="radius"/> along either axis.</summary>
    public static IEnumerable<(int X, int Y)> RandomWalk(int radius)
    {
        var (x, y) = (0, 0);
        while (true)
        {
            yield return (x, y);
            x = Math.Clamp(x + Random.Shared.Next(-1, 2), -radius, radius);
            y = Math.Clamp(y + Random.Shared.Next(-1, 2), -radius, radius);
        }
    }
}
