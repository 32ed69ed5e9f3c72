namespace ProxChat.Host;

internal static class HealthTags
{
    /// <summary>Checks that decide whether a load balancer should send this node new clients.</summary>
    public const string Ready = "ready";
}
