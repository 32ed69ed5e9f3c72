using ProxChat.Proximity;

namespace ProxChat.Transport.Protocol;

/// <summary>
/// A validated client message. <see cref="ClientId"/> and <see cref="Location"/> belong to
/// UpdatePosition; <see cref="TargetId"/> and <see cref="Payload"/> to the three relays.
/// </summary>
public readonly record struct ClientMessage(
    ClientMessageKind Kind,
    string? ClientId = null,
    Location Location = default,
    string? TargetId = null,
    RelayPayload Payload = default)
{
    public static ClientMessage UpdatePosition(string clientId, Location location) =>
        new(ClientMessageKind.UpdatePosition, ClientId: clientId, Location: location);

    public static ClientMessage Relay(ClientMessageKind kind, string targetId, RelayPayload payload) =>
        new(kind, TargetId: targetId, Payload: payload);
}
