using ProxChat.Proximity;

namespace ProxChat.Proximity.Tests;

public class ProximityRangesTests
{
    [Theory]
    [InlineData(0, 0, 12, 16, 20, true)] // exactly 20: a 3-4-5 triangle scaled by 4
    [InlineData(0, 0, 12, 17, 20, false)] // √433 ≈ 20.81
    [InlineData(0, 0, 20, 0, 20, true)]
    [InlineData(0, 0, 21, 0, 20, false)]
    [InlineData(-7, -24, 0, 0, 25, true)] // exactly 25
    [InlineData(-7, -25, 0, 0, 25, false)]
    [InlineData(5, 5, 5, 5, 0, true)]
    [InlineData(5, 5, 5, 6, 0, false)]
    public void Distance_is_exact_at_the_boundary(int x1, int y1, int x2, int y2, int range, bool expected)
    {
        Assert.Equal(expected, ProximityRanges.IsWithin(x1, y1, x2, y2, range));
        Assert.Equal(expected, ProximityRanges.IsWithin(x2, y2, x1, y1, range));
    }

    [Fact]
    public void Extreme_coordinates_do_not_overflow()
    {
        Assert.False(ProximityRanges.IsWithin(int.MinValue, int.MinValue, int.MaxValue, int.MaxValue, int.MaxValue));
        Assert.True(ProximityRanges.IsWithin(int.MaxValue, int.MaxValue, int.MaxValue - 3, int.MaxValue - 4, 5));
        Assert.True(ProximityRanges.IsWithin(0, 0, int.MaxValue, 0, int.MaxValue));
        Assert.True(ProximityRanges.IsWithin(int.MinValue, int.MinValue, int.MinValue + 1, int.MinValue + 1, 2));

        // Both axes at the full range: 2·(2³¹−1)² must not wrap around to a small number.
        Assert.False(ProximityRanges.IsWithin(0, 0, int.MaxValue, int.MaxValue, int.MaxValue));
    }

    [Fact]
    public void Disconnection_range_below_introduction_range_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProximityRanges(20, 19));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProximityRanges(-1, 5));
        var equal = new ProximityRanges(20, 20);
        Assert.Equal(20, equal.Disconnection);
    }
}
