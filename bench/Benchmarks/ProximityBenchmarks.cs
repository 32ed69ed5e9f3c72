using BenchmarkDotNet.Attributes;
using ProxChat.Proximity;

namespace ProxChat.Benchmarks;

/// <summary>
/// One random-walk step of one client in a partition of N clients at a realistic density (about
/// five others within introduction range), against what the reference server did for the same
/// step: scan every client under one lock.
/// </summary>
[MemoryDiagnoser]
public class ProximityBenchmarks
{
    private const int NeighboursWithinRange = 5;
    private static readonly Partition Map = new(0, 0, 1);

    private ProximityWorld _world = null!;
    private ProximityMember[] _members = null!;
    private (int X, int Y)[] _positions = null!;
    private (int Dx, int Dy)[] _steps = null!;
    private int _next;

    [Params(1_000, 10_000, 100_000)]
    public int Clients { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var side = (int)Math.Sqrt(Clients * Math.PI * 20 * 20 / NeighboursWithinRange);
        _world = new ProximityWorld(new ProximityRanges(20, 25), TimeSpan.FromSeconds(10), TimeProvider.System);
        _members = new ProximityMember[Clients];
        _positions = new (int, int)[Clients];
        for (var i = 0; i < Clients; i++)
        {
            _members[i] = new ProximityMember($"client-{i}");
            _positions[i] = (random.Next(side), random.Next(side));
            _world.Place(_members[i], new Location(Map, _positions[i].X, _positions[i].Y));
        }

        _steps = [.. Enumerable.Range(0, 4096).Select(_ => (random.Next(-3, 4), random.Next(-3, 4)))];
    }

    [Benchmark(Description = "grid index: one UpdatePosition")]
    public int GridUpdate()
    {
        var i = _next++ % Clients;
        var (dx, dy) = _steps[_next & 4095];
        _positions[i] = (_positions[i].X + dx, _positions[i].Y + dy);
        return _world.Place(_members[i], new Location(Map, _positions[i].X, _positions[i].Y)).Count;
    }

    [Benchmark(Baseline = true, Description = "full scan (reference server): one UpdatePosition")]
    public int FullScan()
    {
        var i = _next++ % Clients;
        var (dx, dy) = _steps[_next & 4095];
        var (x, y) = _positions[i] = (_positions[i].X + dx, _positions[i].Y + dy);
        var near = 0;
        lock (_positions)
        {
            for (var j = 0; j < _positions.Length; j++)
            {
                if (j != i && ProximityRanges.IsWithin(x, y, _positions[j].X, _positions[j].Y, 20))
                {
                    near++;
                }
            }
        }

        return near;
    }
}
