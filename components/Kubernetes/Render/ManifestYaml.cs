using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.Schemas;

namespace Llmctl.Components.Kubernetes.Render;

/// <summary>
/// A Kubernetes object as YAML, deterministically: top-level fields in the conventional order (<c>apiVersion</c>,
/// <c>kind</c>, <c>metadata</c>, <c>spec</c>, <c>data</c>, <c>stringData</c>, then the rest), <c>metadata</c> with
/// <c>name</c> and <c>namespace</c> first, every other map sorted by key as <c>kubectl get -o yaml</c> does; strings
/// that would read as another type are quoted (YAML 1.1 too: `on`, `yes`, `n`, since sigs.k8s.io/yaml reads them as booleans); <c>status</c> is dropped; lines are never folded.
/// </summary>
/// <remarks>
/// Written through YamlDotNet's <see cref="Emitter"/> event by event, with no reflection (the Native AOT build):
/// the events are the ones YamlDotNet's reflection serializer produced for the same tree (its type-assigning
/// emitter with <c>WithQuotingNecessaryStrings(quoteYaml1_1Strings: true)</c>, then <see cref="GoYamlQuoting"/>),
/// so the text is byte for byte what it wrote.
/// </remarks>
public static partial class ManifestYaml
{
    private static readonly string[] TopOrder = ["apiVersion", "kind", "metadata", "spec", "data", "stringData", "binaryData", "type"];
    private static readonly string[] MetadataOrder = ["name", "namespace", "labels", "annotations"];

    public static string Write(JsonNode? obj)
    {
        if (obj is not JsonObject o) throw new ArgumentException("a Kubernetes object is a JSON object", nameof(obj));
        return Document(emitter => Mapping(emitter, o, TopOrder, top: true, keepNulls: false));
    }

    /// <summary>
    /// Helm values as YAML: every map's keys sorted, same quoting rules. A key set to JSON <c>null</c> is written as
    /// <c>key: null</c>, which is how a values file deletes a key of the chart's defaults (Helm merges maps, so a
    /// default key survives unless it is nulled).
    /// </summary>
    public static string WriteValues(JsonObject values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Document(emitter => Mapping(emitter, values, [], top: false, keepNulls: true));
    }

    private static string Document(Action<IEmitter> content)
    {
        using var writer = new StringWriter { NewLine = "\n" };
        var emitter = new Emitter(writer, new EmitterSettings(2, int.MaxValue, false, 1024));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        content(emitter);
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        return writer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    private static void Mapping(IEmitter emitter, JsonObject o, IReadOnlyList<string> first, bool top, bool keepNulls)
    {
        var keys = o.Select(kv => kv.Key)
            .Where(k => (keepNulls || o[k] is not null) && !(top && k == "status"))
            .OrderBy(k => IndexOf(first, k) is var i && i >= 0 ? i : first.Count)
            .ThenBy(k => k, StringComparer.Ordinal);
        emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, false, MappingStyle.Any));
        foreach (var key in keys)
        {
            String(emitter, key);
            if (top && key == "metadata" && o[key] is JsonObject meta) Mapping(emitter, meta, MetadataOrder, top: false, keepNulls: false);
            else Node(emitter, o[key], keepNulls);
        }
        emitter.Emit(new MappingEnd());
    }

    private static int IndexOf(IReadOnlyList<string> list, string key)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == key) return i;
        }
        return -1;
    }

    private static void Node(IEmitter emitter, JsonNode? node, bool keepNulls)
    {
        switch (node)
        {
            case JsonObject o:
                Mapping(emitter, o, [], top: false, keepNulls);
                break;
            case JsonArray a:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, false, SequenceStyle.Any));
                foreach (var item in a) Node(emitter, item, keepNulls);
                emitter.Emit(new SequenceEnd());
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                String(emitter, v.GetValue<string>());
                break;
            case JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                Plain(emitter, JsonSchema.Tags.Bool, YamlFormatter.Default.FormatBoolean(v.GetValueKind() == JsonValueKind.True));
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
                var number = Number(v);
                Plain(emitter, number is long ? JsonSchema.Tags.Int : JsonSchema.Tags.Float, YamlFormatter.Default.FormatNumber(number));
                break;
            default:
                Plain(emitter, JsonSchema.Tags.Null, "");
                break;
        }
    }

    /// <summary>A string: double-quoted when YAML 1.1/1.2 or Go's YAML reader would read it as anything else, otherwise as the emitter sees fit.</summary>
    private static void String(IEmitter emitter, string text)
    {
        var style = IsSpecial(text) || GoYamlQuoting.WouldRetype(text) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any;
        emitter.Emit(new Scalar(AnchorName.Empty, FailsafeSchema.Tags.Str, text, style, true, false));
    }

    private static void Plain(IEmitter emitter, TagName tag, string text) =>
        emitter.Emit(new Scalar(AnchorName.Empty, tag, text, ScalarStyle.Plain, true, false));

    private static object Number(JsonValue v)
    {
        var text = v.ToJsonString();
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)) return l;
        return decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>YamlDotNet's "necessary" quoting with YAML 1.1 strings: blank text, or text that matches a YAML 1.1 or 1.2 non-string scalar.</summary>
    private static bool IsSpecial(string text) => text.Trim().Length == 0 || Yaml11Special().IsMatch(text);

    // YamlDotNet's TypeAssigningEventEmitter.CombinedYaml1_1SpecialStrings_Pattern (18.1.0), verbatim.
    [GeneratedRegex(@"^(null|Null|NULL|\~|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF"
        + @"|[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+"
        + @"|[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial Regex Yaml11Special();
}
