namespace ProxChat.Transport.Sessions;

/// <summary>
/// Who an authenticated connection is, from its token: the client_id it must register
/// (<c>ProxChat:Auth:ClientIdClaim</c>), and the game_id it is pinned to when the token names one.
/// </summary>
public sealed record ConnectionIdentity(string Subject, int? GameId);
