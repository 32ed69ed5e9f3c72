using System.Diagnostics.CodeAnalysis;

namespace ProxChat.Client;

/// <summary>Argument checks that read the same on netstandard2.1, which lacks the throw helpers, and on .NET 8+.</summary>
internal static class Guard
{
    public static void NotNull([NotNull] object? value, string name)
    {
#if NET
        ArgumentNullException.ThrowIfNull(value, name);
#else
        if (value is null)
        {
            throw new ArgumentNullException(name);
        }
#endif
    }

    public static void NotEmpty([NotNull] string? value, string name)
    {
        NotNull(value, name);
        if (value.Length == 0)
        {
            throw new ArgumentException("Must not be empty.", name);
        }
    }

    public static void NotDisposed(bool disposed, object instance)
    {
#if NET
        ObjectDisposedException.ThrowIf(disposed, instance);
#else
        if (disposed)
        {
            throw new ObjectDisposedException(instance.GetType().Name);
        }
#endif
    }
}
