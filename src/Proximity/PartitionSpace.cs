namespace ProxChat.Proximity;

/// <summary>
/// The members of one partition, their grid and, through them, their links. Everything here is
/// guarded by <see cref="Gate"/>: links never cross partitions, so one partition's lock covers them.
/// </summary>
internal sealed class PartitionSpace(Partition partition, int cellSize)
{
    public Partition Partition { get; } = partition;

    public Lock Gate { get; } = new();

    public SpatialGrid Grid { get; } = new(cellSize);

    /// <summary>Set once the space emptied and left the world; a newcomer must fetch a fresh one.</summary>
    public bool IsRetired { get; set; }
}
