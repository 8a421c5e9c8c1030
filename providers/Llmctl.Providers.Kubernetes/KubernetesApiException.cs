using System.Net;
using System.Text.Json.Nodes;

namespace Llmctl.Providers.Kubernetes;

/// <summary>A request the API server refused, with its <c>Status</c> body when it sent one.</summary>
internal sealed class KubernetesApiException(HttpStatusCode status, JsonObject? body, string fallback, Exception inner)
    : Exception(body?["message"]?.GetValue<string>() ?? fallback, inner)
{
    public HttpStatusCode StatusCode { get; } = status;
    public JsonObject? Body { get; } = body;
    public string? Reason => Body?["reason"]?.GetValue<string>();
    public bool IsConflict => StatusCode == HttpStatusCode.Conflict && Reason != "AlreadyExists";

    /// <summary>(field, manager) of each field-manager conflict the server listed.</summary>
    public IReadOnlyList<(string Field, string Manager)> Conflicts =>
        (Body?["details"]?["causes"] as JsonArray ?? [])
            .Where(c => c?["reason"]?.GetValue<string>() is "FieldManagerConflict" || c?["type"]?.GetValue<string>() is "FieldManagerConflict")
            .Select(c => (c!["field"]?.GetValue<string>() ?? "?", ManagerOf(c["message"]?.GetValue<string>() ?? "")))
            .ToList();

    private static string ManagerOf(string message)
    {
        // "conflict with \"helm\" using apps/v1" → helm
        var start = message.IndexOf('"');
        var end = start < 0 ? -1 : message.IndexOf('"', start + 1);
        return end > start ? message[(start + 1)..end] : message;
    }
}
