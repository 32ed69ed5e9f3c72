using ProxChat.Proximity;

namespace ProxChat.Transport.Cluster;

/// <summary>
/// How integer game coordinates sit in a Redis GEO set: one unit is 10⁻⁵ degree on both axes, so
/// x ∈ [−18,000,000, 18,000,000] maps onto longitude ±180° and y ∈ [−8,500,000, 8,500,000] onto
/// latitude ±85° (inside GEO's ±85.05112878° limit). GEO cells are about half a unit wide there,
/// so the set only proposes candidates; links are decided on the exact integer coordinates.
/// </summary>
public static class GeoMapping
{
    public const int MaxAbsX = 18_000_000;
    public const int MaxAbsY = 8_500_000;

    /// <summary>Coordinate units per degree.</summary>
    public const double UnitsPerDegree = 100_000;

    /// <summary>Redis's Earth radius (geohash_helper.c), so radius arithmetic agrees with the server.</summary>
    public const double EarthRadiusMeters = 6372797.560856;

    /// <summary>How far a GEO member can sit from its exact spot, in units, with room to spare (geohash steps are ≤ 0.54 unit).</summary>
    public const int QuantizationMarginUnits = 2;

    public static bool CanHold(int x, int y) => Math.Abs((long)x) <= MaxAbsX && Math.Abs((long)y) <= MaxAbsY;

    public static (double Longitude, double Latitude) ToLonLat(int x, int y)
    {
        if (!CanHold(x, y))
        {
            throw new ArgumentOutOfRangeException(nameof(x), $"({x}, {y}) is outside the GEO mapping (|x| ≤ {MaxAbsX}, |y| ≤ {MaxAbsY}).");
        }

        // Division by an exact power of ten rounds once, so the bounds land exactly on ±180° and ±85°.
        return (x / UnitsPerDegree, y / UnitsPerDegree);
    }

    /// <summary>
    /// A search radius in metres that holds every member within <paramref name="range"/> units. On the
    /// sphere ds² = R²(dφ² + cos²φ·dλ²) ≤ R²(dφ² + dλ²), so the great-circle distance between two
    /// points is at most <see cref="MetersPerUnit"/> times their Euclidean distance in units; the
    /// quantization margin covers where GEO stored them.
    /// </summary>
    public static double SearchRadiusMeters(int range) => (range + QuantizationMarginUnits) * MetersPerUnit * 1.001;

    public static double MetersPerUnit => EarthRadiusMeters * Math.PI / 180 / UnitsPerDegree;

    public static string OutOfRangeError(Location location) =>
        $"UpdatePosition: x must be within ±{MaxAbsX:N0} and y within ±{MaxAbsY:N0} on a scaled-out server (got {location.X}, {location.Y}).";
}
