using Xunit;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Testing;

/// <summary>
/// Validates a custom resource against its CRD's <c>openAPIV3Schema</c> from <c>../shared/upstream/crds/</c>, the way
/// the API server's structural schema does for what matters here: types, unknown fields (pruned or refused unless
/// <c>x-kubernetes-preserve-unknown-fields</c>), required fields, enums, <c>additionalProperties</c>,
/// <c>x-kubernetes-int-or-string</c>. <c>metadata</c> is not checked (the server owns its schema).
/// </summary>
public static class CrdSchema
{
    /// <summary>Problems of <paramref name="obj"/> against the CRD in <c>upstream/crds/&lt;folder&gt;/&lt;file&gt;</c>; empty when valid.</summary>
    public static IReadOnlyList<string> Validate(string folder, string file, JsonObject obj)
    {
        var path = SharedFiles.RequirePath("upstream", "crds", folder, file);
        var crd = LoadCrd(path, obj["kind"]?.GetValue<string>());
        var apiVersion = obj["apiVersion"]?.GetValue<string>() ?? "";
        var version = apiVersion.Contains('/') ? apiVersion[(apiVersion.IndexOf('/') + 1)..] : apiVersion;
        var versions = crd["spec"]!["versions"]!.AsArray();
        var v = versions.FirstOrDefault(x => x!["name"]!.GetValue<string>() == version)
            ?? throw new InvalidOperationException($"{file} has no version '{version}'");
        var schema = v["schema"]!["openAPIV3Schema"]!.AsObject();
        var problems = new List<string>();
        var group = crd["spec"]!["group"]!.GetValue<string>();
        if (!apiVersion.StartsWith(group + "/", StringComparison.Ordinal)) problems.Add($"apiVersion '{apiVersion}' is not in group {group}");
        var copy = (JsonObject)obj.DeepClone();
        copy.Remove("metadata");
        Check(copy, schema, "", problems);
        return problems;
    }

    public static void AssertValid(string folder, string file, JsonObject obj)
    {
        var problems = Validate(folder, file, obj);
        Assert.True(problems.Count == 0, $"{obj["kind"]} does not validate against {folder}/{file}:\n  " + string.Join("\n  ", problems));
    }

    private static JsonObject LoadCrd(string path, string? kind)
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(path)) stream.Load(reader);
        foreach (var doc in stream.Documents)
        {
            var json = ToJson(doc.RootNode) as JsonObject;
            if (json?["kind"]?.GetValue<string>() != "CustomResourceDefinition") continue;
            if (kind is null || json["spec"]?["names"]?["kind"]?.GetValue<string>() == kind) return json;
        }
        throw new InvalidOperationException($"{path} has no CustomResourceDefinition for kind {kind}");
    }

    private static void Check(JsonNode? value, JsonObject schema, string path, List<string> problems)
    {
        if (value is null) return;
        var at = path.Length == 0 ? "<root>" : path;
        if (schema["x-kubernetes-int-or-string"]?.GetValue<bool>() == true)
        {
            if (value is JsonValue iv && iv.GetValueKind() is JsonValueKind.Number or JsonValueKind.String) return;
            problems.Add($"{at}: expected an integer or a string");
            return;
        }
        var type = schema["type"]?.GetValue<string>();
        switch (type)
        {
            case "object":
                if (value is not JsonObject o)
                {
                    problems.Add($"{at}: expected an object");
                    return;
                }
                var props = schema["properties"] as JsonObject;
                var additional = schema["additionalProperties"];
                var preserve = schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true;
                foreach (var req in schema["required"]?.AsArray() ?? [])
                {
                    var name = req!.GetValue<string>();
                    if (!o.ContainsKey(name)) problems.Add($"{at}: missing required field '{name}'");
                }
                foreach (var (key, child) in o)
                {
                    var childPath = path.Length == 0 ? key : $"{path}.{key}";
                    if (props?[key] is JsonObject childSchema) Check(child, childSchema, childPath, problems);
                    else if (additional is JsonObject addSchema) Check(child, addSchema, childPath, problems);
                    else if (additional is JsonValue addBool && addBool.GetValue<bool>()) { }
                    else if (!preserve) problems.Add($"{childPath}: unknown field");
                }
                break;
            case "array":
                if (value is not JsonArray a)
                {
                    problems.Add($"{at}: expected an array");
                    return;
                }
                if (schema["items"] is JsonObject items)
                {
                    for (var i = 0; i < a.Count; i++) Check(a[i], items, $"{path}[{i}]", problems);
                }
                break;
            case "string":
                if (value is not JsonValue s || s.GetValueKind() != JsonValueKind.String) problems.Add($"{at}: expected a string");
                else if (schema["enum"] is JsonArray e && !e.Any(x => x!.GetValue<string>() == s.GetValue<string>()))
                {
                    problems.Add($"{at}: '{s.GetValue<string>()}' is not one of {string.Join(", ", e.Select(x => x!.GetValue<string>()))}");
                }
                break;
            case "integer":
                if (value is not JsonValue n || n.GetValueKind() != JsonValueKind.Number || !long.TryParse(n.ToJsonString(), out _)) problems.Add($"{at}: expected an integer");
                break;
            case "number":
                if (value is not JsonValue num || num.GetValueKind() != JsonValueKind.Number) problems.Add($"{at}: expected a number");
                break;
            case "boolean":
                if (value is not JsonValue b || b.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False)) problems.Add($"{at}: expected a boolean");
                break;
        }
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToJson(kv.Value)))),
        YamlSequenceNode s => new JsonArray(s.Children.Select(ToJson).ToArray()),
        YamlScalarNode sc when sc.Style is YamlDotNet.Core.ScalarStyle.Plain && sc.Value is "true" or "false" => JsonValue.Create(sc.Value == "true"),
        YamlScalarNode sc => JsonValue.Create(sc.Value),
        _ => null,
    };
}
