using System.Text.Json.Nodes;

namespace Llmctl.Testing.Kubernetes;

/// <summary>One object as the fake keeps it: its JSON and, per field manager, the leaf fields that manager owns.</summary>
internal sealed class StoredObject(ApiResource type, JsonObject obj)
{
    public ApiResource Type { get; } = type;
    public JsonObject Object { get; set; } = obj;
    public Dictionary<string, ManagerEntry> Managers { get; } = new(StringComparer.Ordinal);
    public string Name => Object["metadata"]?["name"]?.GetValue<string>() ?? "";
    public string? Namespace => Object["metadata"]?["namespace"]?.GetValue<string>();
    public long Generation => Json.Long(Object["metadata"]?["generation"]) ?? 0;

    /// <summary>The object as served: managedFields rendered from the ownership sets.</summary>
    public JsonObject Render()
    {
        var copy = (JsonObject)Object.DeepClone();
        var managed = new JsonArray();
        foreach (var (manager, entry) in Managers.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            if (entry.Fields.Count == 0) continue;
            managed.Add(new JsonObject
            {
                ["manager"] = manager,
                ["operation"] = entry.Operation,
                ["apiVersion"] = entry.ApiVersion,
                ["time"] = entry.Time.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = FieldPaths.ToFieldsV1(entry.Fields),
            });
        }
        ((JsonObject)copy["metadata"]!)["managedFields"] = managed;
        return copy;
    }
}

internal sealed record ManagerEntry(HashSet<string> Fields, string Operation, string ApiVersion, DateTimeOffset Time);
