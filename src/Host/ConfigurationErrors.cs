using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using ProxChat.Transport.Signaling;

namespace ProxChat.Host;

/// <summary>
/// Turns a start-up failure caused by configuration (a value the binder cannot convert, or one
/// that fails validation) into one line per problem naming the key, its value and the rule, for
/// an operator to fix without reading a stack trace.
/// </summary>
internal static partial class ConfigurationErrors
{
    /// <summary>The process's exit code for a configuration it refuses (not 1, which any crash gives).</summary>
    public const int ExitCode = 2;

    /// <summary>Whether <paramref name="exception"/> (or what it wraps) is a configuration problem.</summary>
    public static bool IsConfigurationError(Exception exception) => Causes(exception).Any();

    /// <summary>One line per problem, then a warning for each unknown key (often the cause).</summary>
    public static IEnumerable<string> Describe(Exception exception, IConfiguration configuration)
    {
        foreach (var cause in Causes(exception))
        {
            if (cause is OptionsValidationException validation)
            {
                foreach (var failure in validation.Failures)
                {
                    yield return $"Configuration error: {DescribeFailure(validation.OptionsType, failure, configuration)}";
                }
            }
            else
            {
                yield return $"Configuration error: {DescribeConversion(cause)}";
            }
        }

        foreach (var (key, nearest) in ConfigurationKeys.Unknown(configuration))
        {
            yield return $"Configuration warning: {UnknownKeyWarning.Text(key, nearest)}";
        }
    }

    private static IEnumerable<Exception> Causes(Exception exception) => exception switch
    {
        OptionsValidationException => [exception],
        InvalidOperationException when IsBinderConversion(exception) => [exception],
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(Causes),
        TargetInvocationException { InnerException: { } inner } => Causes(inner),
        _ => [],
    };

    // The binder wraps the converter's complaint; its own message names the key, value and type.
    private static bool IsBinderConversion(Exception exception) =>
        exception.Source == "Microsoft.Extensions.Configuration.Binder"
        && exception.InnerException is FormatException or ArgumentException or OverflowException or NotSupportedException;

    private static string DescribeConversion(Exception exception)
    {
        var match = ConversionMessage().Match(exception.Message);
        if (!match.Success)
        {
            return exception.Message;
        }

        var (value, key, type) = (match.Groups["value"].Value, match.Groups["key"].Value, match.Groups["type"].Value);
        return $"{key} = {Shown(key, value)}: {ExpectedValue(key, type)}";
    }

    private static string ExpectedValue(string key, string typeName)
    {
        var relative = key.StartsWith($"{ProxChatOptions.SectionName}:", StringComparison.OrdinalIgnoreCase)
            ? key[(ProxChatOptions.SectionName.Length + 1)..]
            : key;
        var type = ConfigurationKeys.Find(relative)?.Type ?? Type.GetType(typeName);
        return type switch
        {
            { IsEnum: true } => $"must be one of {string.Join(", ", Enum.GetNames(type))}.",
            _ when type == typeof(bool) => "must be true or false.",
            _ when type == typeof(int) || type == typeof(long) => "must be a whole number.",
            _ => $"must be a value of type {typeName}.",
        };
    }

    private static string DescribeFailure(Type optionsType, string failure, IConfiguration configuration)
    {
        var match = DataAnnotationFailure().Match(failure);
        if (!match.Success || SectionOf(optionsType) is not { } section)
        {
            return failure;
        }

        var members = match.Groups["members"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var rule = match.Groups["error"].Value;
        if (members.Length == 1 && rule.StartsWith($"The field {members[0]} ", StringComparison.Ordinal))
        {
            // "The field X must be between 0 and 5." says the key twice once the line starts with it.
            rule = rule[$"The field {members[0]} ".Length..];
        }

        var keys = members.Select(member => DescribeValue(section, member.Replace('.', ':'), configuration));
        return $"{string.Join(", ", keys)}: {rule}";
    }

    private static string DescribeValue(string section, string member, IConfiguration configuration)
    {
        var key = $"{section}:{member}";
        if (configuration[key] is { } value)
        {
            return $"{key} = {Shown(key, value)}";
        }

        return DefaultOf(section, member) is { } fallback ? $"{key} = {fallback} (default)" : key;
    }

    /// <summary>A value as the line shows it: a secret's (a key, password or token) only by its length.</summary>
    private static string Shown(string key, string value) =>
        SecretName().IsMatch(key) ? $"({value.Length} characters, not shown)" : value;

    /// <summary>The section an options type is bound from: ProxChat, or one of its nested settings.</summary>
    private static string? SectionOf(Type optionsType) =>
        optionsType == typeof(ProxChatOptions)
            ? ProxChatOptions.SectionName
            : typeof(ProxChatOptions).GetProperties()
                .FirstOrDefault(property => property.PropertyType == optionsType)
                ?.Name is { } name ? $"{ProxChatOptions.SectionName}:{name}" : null;

    private static string? DefaultOf(string section, string member)
    {
        object? value = new ProxChatOptions();
        var path = $"{section}:{member}".Split(':').Skip(1);
        foreach (var name in path)
        {
            value = value?.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.GetValue(value);
        }

        return value is IFormattable or string or bool or Enum ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"^DataAnnotation validation failed for '[^']*' members: '(?<members>[^']*)' with the error: '(?<error>.*)'\.$", RegexOptions.Singleline)]
    private static partial Regex DataAnnotationFailure();

    [GeneratedRegex(@"(Key|Secret|Password|Token)$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"^Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']*)' to type '(?<type>[^']*)'\.$", RegexOptions.Singleline)]
    private static partial Regex ConversionMessage();
}
