using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Llmctl.Components.Kubernetes.Render;

/// <summary>
/// A Kubernetes object as YAML, deterministically: top-level fields in the conventional order (<c>apiVersion</c>,
/// <c>kind</c>, <c>metadata</c>, <c>spec</c>, <c>data</c>, <c>stringData</c>, then the rest), <c>metadata</c> with
/// <c>name</c> and <c>namespace</c> first, every other map sorted by key as <c>kubectl get -o yaml</c> does; strings
/// that would read as another type are quoted (YAML 1.1 too: `on`, `yes`, `n`, since sigs.k8s.io/yaml reads them as booleans); <c>status</c> is dropped; lines are never folded.
/// </summary>
public static class ManifestYaml
{
    private static readonly string[] TopOrder = ["apiVersion", "kind", "metadata", "spec", "data", "stringData", "binaryData", "type"];
    private static readonly string[] MetadataOrder = ["name", "namespace", "labels", "annotations"];

    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithQuotingNecessaryStrings(quoteYaml1_1Strings: true)
        .WithEventEmitter(next => new GoYamlQuoting(next))
        .DisableAliases()
        .Build();

    public static string Write(JsonNode? obj)
    {
        if (obj is not JsonObject o) throw new ArgumentException("a Kubernetes object is a JSON object", nameof(obj));
        var graph = Ordered(o, TopOrder, top: true);
        using var writer = new StringWriter { NewLine = "\n" };
        Serializer.Serialize(new Emitter(writer, new EmitterSettings(2, int.MaxValue, false, 1024)), graph);
        return writer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    /// <summary>
    /// Helm values as YAML: every map's keys sorted, same quoting rules. A key set to JSON <c>null</c> is written as
    /// <c>key: null</c>, which is how a values file deletes a key of the chart's defaults (Helm merges maps, so a
    /// default key survives unless it is nulled).
    /// </summary>
    public static string WriteValues(JsonObject values)
    {
        ArgumentNullException.ThrowIfNull(values);
        using var writer = new StringWriter { NewLine = "\n" };
        Serializer.Serialize(new Emitter(writer, new EmitterSettings(2, int.MaxValue, false, 1024)), Ordered(values, [], keepNulls: true));
        return writer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    private static Dictionary<string, object?> Ordered(JsonObject o, IReadOnlyList<string> first, bool top = false, bool keepNulls = false)
    {
        var keys = o.Select(kv => kv.Key)
            .Where(k => (keepNulls || o[k] is not null) && !(top && k == "status"))
            .OrderBy(k => Array.IndexOf([.. first], k) is var i && i >= 0 ? i : first.Count)
            .ThenBy(k => k, StringComparer.Ordinal);
        var result = new Dictionary<string, object?>();
        foreach (var key in keys)
        {
            result[key] = top && key == "metadata" && o[key] is JsonObject meta ? Ordered(meta, MetadataOrder) : Plain(o[key], keepNulls);
        }
        return result;
    }

    private static object? Plain(JsonNode? node, bool keepNulls) => node switch
    {
        null => null,
        JsonObject o => Ordered(o, [], keepNulls: keepNulls),
        JsonArray a => a.Select(n => Plain(n, keepNulls)).ToList(),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => Number(v),
            _ => null,
        },
        _ => null,
    };

    private static object Number(JsonValue v)
    {
        var text = v.ToJsonString();
        if (long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var l)) return l;
        return decimal.Parse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
    }
}
