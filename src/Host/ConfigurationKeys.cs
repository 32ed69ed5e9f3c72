using System.Collections;
using System.ComponentModel;
using System.Reflection;
using ProxChat.Transport.Signaling;

namespace ProxChat.Host;

/// <summary>
/// The keys the server reads under <c>ProxChat:</c>: every property the configuration binder can
/// set on <see cref="ProxChatOptions"/> (found by reflection, so a new setting is known as soon as
/// it exists), plus the few keys the host reads itself. .NET configuration ignores a key nobody
/// reads, so without this a typo silently leaves the default in force.
/// </summary>
internal static class ConfigurationKeys
{
    /// <summary>Keys the host reads directly from configuration rather than through <see cref="ProxChatOptions"/>.</summary>
    public static readonly IReadOnlyList<string> ReadByHost = ["Metrics:Enabled", "Metrics:Port"];

    // A segment that stands for a list index, or for any dictionary key.
    private const string Index = "{n}";
    private const string AnyKey = "{key}";

    private static readonly Lazy<IReadOnlyList<KnownKey>> Known = new(() => FindKnownKeys(typeof(ProxChatOptions), ReadByHost));

    /// <summary>Every known key, relative to the section; a list's items appear as <c>Name:{n}</c>.</summary>
    public static IReadOnlyList<KnownKey> All => Known.Value;

    /// <summary>The keys set under <c>ProxChat:</c> that nothing reads, each with the known key nearest to it.</summary>
    public static IEnumerable<(string Key, string Nearest)> Unknown(IConfiguration configuration)
    {
        var section = configuration.GetSection(ProxChatOptions.SectionName);
        foreach (var (path, value) in section.AsEnumerable(makePathsRelative: true))
        {
            if (value is not null && Find(path) is null)
            {
                yield return ($"{ProxChatOptions.SectionName}:{path}", $"{ProxChatOptions.SectionName}:{Nearest(path)}");
            }
        }
    }

    /// <summary>The known key <paramref name="path"/> (relative to the section) names, or null.</summary>
    public static KnownKey? Find(string path)
    {
        var segments = path.Split(':');
        return All.FirstOrDefault(key => key.Matches(segments));
    }

    private static string Nearest(string path) =>
        All.Select(key => key.Example)
            .MinBy(example => EditDistance(example.ToUpperInvariant(), path.ToUpperInvariant()))!;

    /// <summary>Levenshtein distance: the fewest single-character insertions, deletions and substitutions.</summary>
    internal static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    /// <summary>The keys the binder can set on <paramref name="root"/>, plus <paramref name="readDirectly"/>.</summary>
    internal static List<KnownKey> FindKnownKeys(Type root, IEnumerable<string> readDirectly)
    {
        var keys = new List<KnownKey>();
        AddProperties(root, [], keys, [root]);
        foreach (var key in readDirectly)
        {
            if (keys.All(known => !known.Matches(key.Split(':'))))
            {
                keys.Add(new KnownKey(key.Split(':'), Type: null));
            }
        }

        return keys;
    }

    private static void AddProperties(Type type, string[] prefix, List<KnownKey> keys, HashSet<Type> visiting)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            var settable = property.SetMethod is { IsPublic: true };
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;

            // The binder sets a settable property, and fills a get-only collection or object in place.
            if (settable || !IsLeaf(propertyType))
            {
                AddValue(propertyType, [.. prefix, property.Name], keys, visiting);
            }
        }
    }

    private static void AddValue(Type type, string[] path, List<KnownKey> keys, HashSet<Type> visiting)
    {
        if (IsLeaf(type))
        {
            keys.Add(new KnownKey(path, type));
        }
        else if (DictionaryValueType(type) is { } valueType)
        {
            AddValue(valueType, [.. path, AnyKey], keys, visiting);
        }
        else if (ElementType(type) is { } elementType)
        {
            AddValue(elementType, [.. path, Index], keys, visiting);
        }
        else if (type.IsClass && visiting.Add(type))
        {
            AddProperties(type, path, keys, visiting);
            visiting.Remove(type);
        }
    }

    /// <summary>A value the binder converts from one string (as it decides it), not a section.</summary>
    private static bool IsLeaf(Type type) =>
        type == typeof(string)
        || (!typeof(IEnumerable).IsAssignableFrom(type)
            && (type.IsPrimitive || type.IsEnum || TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string))));

    private static Type? DictionaryValueType(Type type) =>
        type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>))
            ?.GetGenericArguments()[1];

    private static Type? ElementType(Type type) =>
        type.IsArray
            ? type.GetElementType()
            : typeof(IEnumerable).IsAssignableFrom(type)
                ? type.GetInterfaces().Append(type)
                    .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))
                    ?.GetGenericArguments()[0]
                : null;

    /// <summary>One known key; <see cref="Type"/> is the value's type, when known.</summary>
    internal sealed record KnownKey(string[] Segments, Type? Type)
    {
        /// <summary>The key as a user would write it, with 0 for a list index.</summary>
        public string Example => string.Join(':', Segments.Select(segment => segment switch
        {
            Index => "0",
            AnyKey => "name",
            _ => segment,
        }));

        public bool Matches(string[] segments) =>
            segments.Length == Segments.Length
            && Segments.Zip(segments).All(pair => pair.First switch
            {
                Index => pair.Second.Length > 0 && pair.Second.All(char.IsAsciiDigit),
                AnyKey => true,
                _ => string.Equals(pair.First, pair.Second, StringComparison.OrdinalIgnoreCase),
            });
    }
}
