namespace ProxChat.Proximity;

/// <summary>
/// A uniform grid over one partition. With a cell side of at least the disconnection range, every
/// member within that range of a point lies in the 3×3 cells around it, so a query costs the
/// members of nine cells rather than the whole partition. Empty cells are dropped.
/// </summary>
internal sealed class SpatialGrid(int cellSize)
{
    private readonly int _cellSize = Math.Max(cellSize, 1);
    private readonly Dictionary<long, List<ProximityMember>> _cells = [];

    public int Count { get; private set; }

    public void Add(ProximityMember member)
    {
        var key = CellKey(CellOf(member.X), CellOf(member.Y));
        if (!_cells.TryGetValue(key, out var cell))
        {
            cell = new List<ProximityMember>(4);
            _cells.Add(key, cell);
        }

        member.CellSlot = cell.Count;
        cell.Add(member);
        Count++;
    }

    public void Remove(ProximityMember member)
    {
        var key = CellKey(CellOf(member.X), CellOf(member.Y));
        var cell = _cells[key];
        var last = cell[^1];
        cell[member.CellSlot] = last;
        last.CellSlot = member.CellSlot;
        cell.RemoveAt(cell.Count - 1);
        if (cell.Count == 0)
        {
            _cells.Remove(key);
        }

        Count--;
    }

    /// <summary>Moves a member that is in the grid; it must not be moved by other means.</summary>
    public void Move(ProximityMember member, int x, int y)
    {
        if (CellOf(member.X) == CellOf(x) && CellOf(member.Y) == CellOf(y))
        {
            member.X = x;
            member.Y = y;
            return;
        }

        Remove(member);
        member.X = x;
        member.Y = y;
        Add(member);
    }

    /// <summary>The cells that can hold a member within the cell side of (x, y).</summary>
    public NeighbourCells Around(int x, int y) => new(this, CellOf(x), CellOf(y));

    private static long CellKey(int cellX, int cellY) => ((long)cellX << 32) | (uint)cellY;

    // Floor division, so cells have one size on both sides of zero.
    private int CellOf(int coordinate) => (int)Math.Floor((double)coordinate / _cellSize);

    /// <summary>An allocation-free walk over the non-empty cells of the 3×3 block around a centre cell.</summary>
    public struct NeighbourCells
    {
        private readonly SpatialGrid _grid;
        private readonly long _centreX;
        private readonly long _centreY;
        private int _index;

        internal NeighbourCells(SpatialGrid grid, int centreX, int centreY)
        {
            _grid = grid;
            _centreX = centreX;
            _centreY = centreY;
            _index = -1;
            Current = null!;
        }

        public List<ProximityMember> Current { get; private set; }

        public readonly NeighbourCells GetEnumerator() => this;

        public bool MoveNext()
        {
            while (++_index < 9)
            {
                var cellX = _centreX + (_index / 3) - 1;
                var cellY = _centreY + (_index % 3) - 1;
                if (cellX is < int.MinValue or > int.MaxValue || cellY is < int.MinValue or > int.MaxValue)
                {
                    continue;
                }

                if (_grid._cells.TryGetValue(CellKey((int)cellX, (int)cellY), out var cell))
                {
                    Current = cell;
                    return true;
                }
            }

            return false;
        }
    }
}
