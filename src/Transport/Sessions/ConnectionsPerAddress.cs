using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;
using ProxChat.Transport.Signaling;

namespace ProxChat.Transport.Sessions;

/// <summary>
/// Open client connections by remote address, against <see cref="ProxChatOptions.MaxConnectionsPerIp"/>:
/// one machine cannot take the node's whole capacity. Behind a proxy the address is the client's
/// only when the proxy is trusted (<c>KnownProxies</c>, <c>KnownNetworks</c>); otherwise every
/// client shares the proxy's.
/// </summary>
public sealed class ConnectionsPerAddress(IOptions<ProxChatOptions> options)
{
    private readonly ConcurrentDictionary<IPAddress, int> _counts = new();
    private readonly int _limit = options.Value.MaxConnectionsPerIp;

    public bool IsEnabled => _limit > 0;

    /// <summary>Whether the address holds its limit already.</summary>
    public bool IsFull(IPAddress? address) =>
        IsEnabled && address is not null && _counts.TryGetValue(Normalize(address), out var count) && count >= _limit;

    /// <summary>Counts one more connection from the address, unless it holds its limit.</summary>
    /// <returns>The address to give back to <see cref="Release"/>, or null when refused; no limit or no address: <see cref="IPAddress.None"/>.</returns>
    public IPAddress? TryAcquire(IPAddress? address)
    {
        if (!IsEnabled || address is null)
        {
            return IPAddress.None;
        }

        var key = Normalize(address);
        while (true)
        {
            var count = _counts.GetOrAdd(key, 0);
            if (count >= _limit)
            {
                return null;
            }

            if (_counts.TryUpdate(key, count + 1, count))
            {
                return key;
            }
        }
    }

    public void Release(IPAddress? address)
    {
        if (!IsEnabled || address is null || address.Equals(IPAddress.None))
        {
            return;
        }

        while (_counts.TryGetValue(address, out var count))
        {
            if (count <= 1 ? _counts.TryRemove(KeyValuePair.Create(address, count)) : _counts.TryUpdate(address, count - 1, count))
            {
                return;
            }
        }
    }

    /// <summary>The number of addresses with open connections, for tests and metrics.</summary>
    public int Addresses => _counts.Count;

    // An IPv4 client on a dual-stack socket arrives as ::ffff:a.b.c.d.
    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
