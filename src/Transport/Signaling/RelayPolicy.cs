namespace ProxChat.Transport.Signaling;

public enum RelayPolicy
{
    /// <summary>Relay only between linked peers, and for a grace period after they unlink.</summary>
    Nearby,

    /// <summary>Relay to any registered client.</summary>
    Any,
}
