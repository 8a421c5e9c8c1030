using System.Text.Json.Nodes;

namespace Llmctl.Testing.Kubernetes;

/// <summary>A failure answered as a <c>Status</c> object, the way the real API server reports one.</summary>
internal sealed class ApiError(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code { get; } = code;

    public JsonObject ToStatus() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = Message,
        ["reason"] = reason,
        ["details"] = details?.DeepClone(),
        ["code"] = Code,
    };

    public static ApiError NotFound(ApiResource type, string name) =>
        new(404, "NotFound", $"{type.Plural}{(type.Group.Length > 0 ? "." + type.Group : "")} \"{name}\" not found",
            new JsonObject { ["name"] = name, ["group"] = type.Group, ["kind"] = type.Plural });

    public static ApiError AlreadyExists(ApiResource type, string name) =>
        new(409, "AlreadyExists", $"{type.Plural} \"{name}\" already exists", new JsonObject { ["name"] = name, ["kind"] = type.Plural });

    /// <summary>The answer to a write whose <c>resourceVersion</c> precondition no longer holds.</summary>
    public static ApiError Modified(ApiResource type, string name) =>
        new(409, "Conflict",
            $"Operation cannot be fulfilled on {type.Plural}{(type.Group.Length > 0 ? "." + type.Group : "")} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            new JsonObject { ["name"] = name, ["group"] = type.Group, ["kind"] = type.Plural });

    /// <summary>The server's answer to an apply that would take fields other managers own.</summary>
    public static ApiError Conflict(ApiResource type, string name, IReadOnlyList<(string Field, IReadOnlyList<string> Managers)> conflicts)
    {
        var causes = new JsonArray();
        var lines = new List<string>();
        foreach (var (field, managers) in conflicts)
        {
            foreach (var manager in managers)
            {
                var shown = FieldPaths.Display(field);
                causes.Add(new JsonObject { ["reason"] = "FieldManagerConflict", ["message"] = $"conflict with \"{manager}\"", ["field"] = shown });
                lines.Add($"- {shown}: conflict with \"{manager}\"");
            }
        }
        var summary = lines.Count == 1 ? "Apply failed with 1 conflict" : $"Apply failed with {lines.Count} conflicts";
        return new ApiError(409, "Conflict", $"{summary}: {string.Join("\n", lines)}",
            new JsonObject { ["name"] = name, ["group"] = type.Group, ["kind"] = type.Plural, ["causes"] = causes });
    }
}
