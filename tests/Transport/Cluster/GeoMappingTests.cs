using ProxChat.Proximity;
using ProxChat.Transport.Cluster;

namespace ProxChat.Transport.Tests.Cluster;

public class GeoMappingTests
{
    [Theory]
    [InlineData(18_000_000, 8_500_000, 180.0, 85.0)]
    [InlineData(-18_000_000, -8_500_000, -180.0, -85.0)]
    [InlineData(1, -1, 0.00001, -0.00001)]
    [InlineData(0, 0, 0.0, 0.0)]
    public void The_bounds_map_exactly_onto_the_geo_limits(int x, int y, double longitude, double latitude)
    {
        Assert.Equal((longitude, latitude), GeoMapping.ToLonLat(x, y));
    }

    [Theory]
    [InlineData(18_000_001, 0)]
    [InlineData(-18_000_001, 0)]
    [InlineData(0, 8_500_001)]
    [InlineData(0, -8_500_001)]
    [InlineData(int.MinValue, int.MaxValue)]
    public void Coordinates_beyond_the_mapping_are_refused(int x, int y)
    {
        Assert.False(GeoMapping.CanHold(x, y));
        Assert.Throws<ArgumentOutOfRangeException>(() => GeoMapping.ToLonLat(x, y));
        Assert.Contains("18,000,000", GeoMapping.OutOfRangeError(new Location(default, x, y)), StringComparison.Ordinal);
    }

    [Fact]
    public void Latitudes_stay_inside_what_redis_geo_accepts()
    {
        Assert.True(GeoMapping.ToLonLat(0, GeoMapping.MaxAbsY).Latitude < 85.05112878);
    }

    /// <summary>
    /// The candidate radius must cover every pair within range wherever it stands: Redis's own
    /// haversine distance (same Earth radius) for pairs exactly at the range, at the equator, near
    /// the latitude limit and at the longitude seam, must not exceed the radius less the margin.
    /// </summary>
    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 8_499_975)]
    [InlineData(17_999_975, -8_499_975)]
    [InlineData(-18_000_000, 4_000_000)]
    public void The_search_radius_covers_the_range_in_every_direction(int x, int y)
    {
        const int range = 25;
        var radius = GeoMapping.SearchRadiusMeters(range);
        for (var angle = 0; angle < 360; angle += 5)
        {
            var dx = (int)Math.Round(range * Math.Cos(angle * Math.PI / 180));
            var dy = (int)Math.Round(range * Math.Sin(angle * Math.PI / 180));
            if (!GeoMapping.CanHold(x + dx, y + dy) || !ProximityRanges.IsWithin(x, y, x + dx, y + dy, range))
            {
                continue;
            }

            var distance = Haversine(GeoMapping.ToLonLat(x, y), GeoMapping.ToLonLat(x + dx, y + dy));
            Assert.True(distance <= radius - (GeoMapping.QuantizationMarginUnits * GeoMapping.MetersPerUnit), $"({dx}, {dy}) from ({x}, {y}) is {distance} m; radius {radius} m");
        }
    }

    private static double Haversine((double Longitude, double Latitude) a, (double Longitude, double Latitude) b)
    {
        static double Radians(double degrees) => degrees * Math.PI / 180;
        var u = Math.Sin((Radians(b.Latitude) - Radians(a.Latitude)) / 2);
        var v = Math.Sin((Radians(b.Longitude) - Radians(a.Longitude)) / 2);
        return 2 * GeoMapping.EarthRadiusMeters * Math.Asin(Math.Sqrt((u * u) + (Math.Cos(Radians(a.Latitude)) * Math.Cos(Radians(b.Latitude)) * v * v)));
    }
}
