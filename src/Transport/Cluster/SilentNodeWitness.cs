namespace ProxChat.Transport.Cluster;

/// <summary>
/// Decides which silent nodes are dead: those that checks at least <c>confirmation</c> apart, by
/// Redis's clock, both found silent. One check proves nothing after Redis stalls: the checks a
/// node sent meanwhile are all answered at the same instant, possibly before Redis applies the
/// other nodes' beats that waited in the same stall, and those nodes look silent then. The next
/// check, a period later, finds them beating.
/// </summary>
internal sealed class SilentNodeWitness(TimeSpan confirmation)
{
    private readonly long _confirmationMs = (long)confirmation.TotalMilliseconds;

    // When (Redis's clock, ms) each node now silent was first found so.
    private readonly Dictionary<string, long> _firstFoundSilent = new(StringComparer.Ordinal);

    /// <summary>
    /// Takes a check's answer, made at <paramref name="redisNowMs"/>, and returns the nodes in it
    /// that an earlier check had already found silent at least the confirmation before. A node
    /// missing from the answer has beaten (or been reaped) and is forgotten.
    /// </summary>
    public IReadOnlyList<string> Confirm(long redisNowMs, IReadOnlyCollection<string> silentNodes)
    {
        foreach (var known in _firstFoundSilent.Keys.Where(known => !silentNodes.Contains(known, StringComparer.Ordinal)).ToList())
        {
            _firstFoundSilent.Remove(known);
        }

        var dead = new List<string>();
        foreach (var silent in silentNodes)
        {
            if (!_firstFoundSilent.TryAdd(silent, redisNowMs) && redisNowMs - _firstFoundSilent[silent] >= _confirmationMs)
            {
                dead.Add(silent);
            }
        }

        return dead;
    }

    /// <summary>Forgets every sighting: what was found before this node lost Redis says nothing of now.</summary>
    public void Forget() => _firstFoundSilent.Clear();
}
