namespace ProxChat.Proximity;

/// <summary>Where a client stands: its partition and integer coordinates within it.</summary>
public readonly record struct Location(Partition Partition, int X, int Y);
