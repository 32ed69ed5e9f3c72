namespace ProxChat.Proximity;

/// <summary>
/// The space two clients must share to be candidates for each other: equal game, channel and map.
/// </summary>
public readonly record struct Partition(int GameId, int Channel, int MapId);
