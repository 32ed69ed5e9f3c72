namespace ProxChat.Client.Protocol;

/// <summary>Where the client is: what <c>UpdatePosition</c> carries besides the client id.</summary>
internal sealed class PositionUpdate
{
    public PositionUpdate(int mapId, int x, int y, int channel, int gameId)
    {
        MapId = mapId;
        X = x;
        Y = y;
        Channel = channel;
        GameId = gameId;
    }

    public int MapId { get; }

    public int X { get; }

    public int Y { get; }

    public int Channel { get; }

    public int GameId { get; }
}
