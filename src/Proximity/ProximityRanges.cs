namespace ProxChat.Proximity;

/// <summary>
/// The hysteresis rule: an unlinked pair links at distance ≤ <see cref="Introduction"/>, and a linked
/// pair stays linked until distance &gt; <see cref="Disconnection"/>. Distances are exact: squared
/// Euclidean distance in 64-bit integers, so nothing is lost to floating point at the boundary.
/// </summary>
public sealed class ProximityRanges
{
    public ProximityRanges(int introduction, int disconnection)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(introduction);
        ArgumentOutOfRangeException.ThrowIfLessThan(disconnection, introduction);
        Introduction = introduction;
        Disconnection = disconnection;
    }

    public int Introduction { get; }

    public int Disconnection { get; }

    /// <summary>Whether the points are at most <paramref name="range"/> apart, exactly.</summary>
    public static bool IsWithin(int x1, int y1, int x2, int y2, int range)
    {
        // Coordinates span the whole int range, so a difference needs 33 bits and its square
        // 66: rule out far pairs per axis first. After that both squares are at most range²
        // and their sum at most 2·(2³¹−1)², which fits in a long.
        long dx = Math.Abs((long)x1 - x2);
        long dy = Math.Abs((long)y1 - y2);
        if (dx > range || dy > range)
        {
            return false;
        }

        return (dx * dx) + (dy * dy) <= (long)range * range;
    }
}
