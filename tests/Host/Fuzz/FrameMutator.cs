using System.Text;

namespace ProxChat.Fuzzing;

/// <summary>
/// Makes client frames for fuzzing a node: valid protocol messages, then damaged the ways real
/// bugs and attackers damage them (flipped bits, cut and spliced bytes, wrong types, huge and
/// negative numbers, deep nesting, control characters, repeated properties, invalid UTF-8). Seeded,
/// so a failure can be replayed. Shared by the test suite's fuzz test and bench/Fuzz.
/// </summary>
public sealed class FrameMutator(int seed)
{
    private static readonly string[] Seeds =
    [
        """{"type":"UpdatePosition","data":{"client_id":"fuzz","map_id":1,"x":0,"y":0}}""",
        """{"type":"UpdatePosition","data":{"client_id":"fuzz","map_id":1,"x":3,"y":-4,"channel":2,"game_id":0}}""",
        """{"type":"SendOffer","data":{"target_id":"peer","offer":"v=0\r\no=- 1 2 IN IP4 127.0.0.1"}}""",
        """{"type":"SendAnswer","data":{"target_id":"peer","answer":"v=0"}}""",
        """{"type":"SendIceCandidate","data":{"target_id":"peer","candidate":"{\"candidate\":\"candidate:1 1 udp 1 127.0.0.1 9 typ host\"}"}}""",
        """{"type":"RequestPeerRefresh"}""",
        """{"type":"RequestPeerRefresh","data":null}""",
    ];

    private static readonly string[] Tokens =
    [
        "null", "true", "false", "0", "-1", "2147483648", "-2147483649", "1e400", "1.5", "\"\"", "[]", "{}", "\"\\u0000\"",
        "\"\\ud800\"", "\"\u200B\"", "\"Disconnect\"", "\"UpdatePosition\"", "9999999999999999999999", new string('[', 200),
    ];

    private readonly Random _random = new(seed);

    /// <summary>The next frame's bytes, and whether it goes as a binary frame.</summary>
    public (byte[] Payload, bool Binary) Next()
    {
        var text = Seeds[_random.Next(Seeds.Length)];
        var bytes = Encoding.UTF8.GetBytes(text);
        var rounds = 1 + _random.Next(3);
        for (var i = 0; i < rounds; i++)
        {
            bytes = Mutate(bytes);
        }

        return (bytes, _random.Next(50) == 0);
    }

    private byte[] Mutate(byte[] bytes) => _random.Next(50) switch
    {
        < 8 => FlipBit(bytes),
        < 14 => Cut(bytes),
        < 22 => Splice(bytes, Encoding.UTF8.GetBytes(Tokens[_random.Next(Tokens.Length)])),
        < 26 => Splice(bytes, Encoding.UTF8.GetBytes(Seeds[_random.Next(Seeds.Length)])),
        < 34 => ReplaceValue(bytes),
        < 40 => RepeatProperty(bytes),
        < 41 => Splice(bytes, [(byte)_random.Next(0x80, 0x100)]), // a lone byte that is not UTF-8
        < 43 => Encoding.UTF8.GetBytes(new string('[', _random.Next(1, 5000)) + new string(']', _random.Next(0, 5000))),
        < 46 => Splice(bytes, [(byte)_random.Next(0, 0x20)]),
        _ => Truncate(bytes),
    };

    private byte[] FlipBit(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        if (copy.Length > 0)
        {
            // Within ASCII: a flipped high bit makes invalid UTF-8, which ends the connection at the
            // WebSocket layer (1007) before the parser sees anything; mutation 6 covers that.
            copy[_random.Next(copy.Length)] ^= (byte)(1 << _random.Next(7));
        }

        return copy;
    }

    private byte[] Cut(byte[] bytes)
    {
        if (bytes.Length < 2)
        {
            return bytes;
        }

        var start = _random.Next(bytes.Length);
        var length = _random.Next(1, bytes.Length - start + 1);
        return [.. bytes[..start], .. bytes[(start + length)..]];
    }

    private byte[] Splice(byte[] bytes, byte[] insert)
    {
        var at = _random.Next(bytes.Length + 1);
        return [.. bytes[..at], .. insert, .. bytes[at..]];
    }

    private byte[] Truncate(byte[] bytes) => bytes.Length == 0 ? bytes : bytes[.._random.Next(bytes.Length)];

    /// <summary>Swaps one value after a colon for a token of another type or range.</summary>
    private byte[] ReplaceValue(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var colon = text.IndexOf(':', _random.Next(Math.Max(1, text.Length)));
        if (colon < 0)
        {
            return bytes;
        }

        var end = text.IndexOfAny([',', '}'], colon + 1);
        return Encoding.UTF8.GetBytes(string.Concat(text.AsSpan(0, colon + 1), Tokens[_random.Next(Tokens.Length)], end < 0 ? string.Empty : text[end..]));
    }

    /// <summary>Gives the first property after a random point a second time.</summary>
    private byte[] RepeatProperty(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var start = text.IndexOf('"', _random.Next(Math.Max(1, text.Length)));
        var end = start < 0 ? -1 : text.IndexOfAny([',', '}'], start);
        return start < 0 || end < 0 ? bytes : Encoding.UTF8.GetBytes(string.Concat(text.AsSpan(0, end), ",", text.AsSpan(start, end - start), text.AsSpan(end)));
    }
}
