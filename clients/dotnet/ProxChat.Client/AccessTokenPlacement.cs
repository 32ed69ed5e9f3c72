namespace ProxChat.Client;

/// <summary>Where the client puts its access token in the WebSocket upgrade request.</summary>
public enum AccessTokenPlacement
{
    /// <summary><c>Authorization: Bearer &lt;token&gt;</c>: kept out of URLs and so out of proxies' access logs.</summary>
    Header,

    /// <summary>The <c>access_token</c> query parameter, for proxies or platforms that drop the header.</summary>
    Query,
}
