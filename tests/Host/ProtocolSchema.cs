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
        var result = schema.Evaluate(document.RootElement, Evaluation);
        if (result.IsValid)
        {
            return null;
        }

        var errors = (result.Details ?? [])
            .Where(detail => detail.Errors is { Count: > 0 })
            .SelectMany(detail => detail.Errors!.Select(error => $"{detail.InstanceLocation} ({detail.EvaluationPath}): {error.Value}"));
        return $"{json} does not match {System.IO.Path.GetFileName(Path)}: {string.Join("; ", errors)}";
    }

    private static Schemas Load()
    {
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        var root = JsonSchema.FromFile(Path, options);
        JsonSchema Definition(string name) => JsonSchema.FromText($$"""{"$ref": "urn:proxchat:protocol#/$defs/{{name}}"}""", options);
        return new Schemas(root, Definition("ServerMessage"), Definition("ClientMessage"));
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

    private sealed record Schemas(JsonSchema Root, JsonSchema ServerMessage, JsonSchema ClientMessage);
}
