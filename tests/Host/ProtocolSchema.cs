using System.Text.Json;
using Json.Schema;

namespace ProxChat.Host.Tests;

/// <summary>
/// docs/protocol.schema.json, the published shape of every message: what the server sends in the
/// integration tests is checked against it as it arrives, so the schema and the server cannot drift
/// apart unnoticed.
/// </summary>
internal static class ProtocolSchema
{
    public static readonly string Path = System.IO.Path.Combine(RepositoryRoot(), "docs", "protocol.schema.json");

    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List };
    private static readonly Lazy<Schemas> Loaded = new(Load);

    /// <summary>Why <paramref name="json"/> is not a valid server-to-client message, or null if it is.</summary>
    public static string? ServerMessageViolation(string json) => Violation(Loaded.Value.ServerMessage, json);

    /// <summary>Why <paramref name="json"/> is not a valid client-to-server message, or null if it is.</summary>
    public static string? ClientMessageViolation(string json) => Violation(Loaded.Value.ClientMessage, json);

    /// <summary>Why <paramref name="json"/> is no message of the protocol at all, or null if it is one.</summary>
    public static string? AnyMessageViolation(string json) => Violation(Loaded.Value.Root, json);

    private static string? Violation(JsonSchema schema, string json)
    {
        using var document = JsonDocument.Parse(json);
        if (schema.Evaluate(document.RootElement, Evaluation).IsValid)
        {
            return null;
        }

        // The messages differ by their type: say what is wrong with this one by its own definition,
        // rather than how it fails every branch of a oneOf.
        var type = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("type", out var name) && name.ValueKind == JsonValueKind.String
            ? name.GetString()
            : null;
        var definition = type is not null && Loaded.Value.Messages.Contains(type) ? Reference(type, Loaded.Value.Options) : schema;
        var errors = (definition.Evaluate(document.RootElement, Evaluation).Details ?? [])
            .Where(detail => detail.Errors is { Count: > 0 })
            .SelectMany(detail => detail.Errors!.Select(error => $"{detail.InstanceLocation}: {error.Value}"))
            .DefaultIfEmpty(type is null ? "no string 'type'" : $"'{type}' is not a message of this direction");
        return $"{json} does not match {System.IO.Path.GetFileName(Path)}: {string.Join("; ", errors)}";
    }

    private static JsonSchema Reference(string definition, BuildOptions options) =>
        JsonSchema.FromText($$"""{"$ref": "urn:proxchat:protocol#/$defs/{{definition}}"}""", options);

    private static Schemas Load()
    {
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        var root = JsonSchema.FromFile(Path, options);
        using var document = JsonDocument.Parse(File.ReadAllText(Path));
        var definitions = document.RootElement.GetProperty("$defs");
        var messages = new[] { "ClientMessage", "ServerMessage" }
            .SelectMany(direction => definitions.GetProperty(direction).GetProperty("oneOf").EnumerateArray())
            .Select(reference => reference.GetProperty("$ref").GetString()!.Split('/')[^1])
            .ToHashSet(StringComparer.Ordinal);
        return new Schemas(root, Reference("ServerMessage", options), Reference("ClientMessage", options), messages, options);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "ProxChat.Scaled.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The tests run outside the repository.");
    }

    private sealed record Schemas(JsonSchema Root, JsonSchema ServerMessage, JsonSchema ClientMessage, IReadOnlySet<string> Messages, BuildOptions Options);
}
