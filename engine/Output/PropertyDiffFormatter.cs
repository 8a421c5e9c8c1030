using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;

namespace Llmctl.Engine.Output;

/// <summary>One line of a rich property diff: its kind (<c>+</c>, <c>-</c>, <c>~</c>, or a space for a closing bracket) and text.</summary>
internal readonly record struct DiffLine(char Kind, string Text);

/// <summary>
/// Pulumi's rich diff of a step's inputs: <c>+ key: value</c>, <c>- key: value</c>, <c>~ key: old =&gt; new</c>, nested
/// objects and arrays opened with <c>{</c>/<c>[</c> and indented four spaces. Secrets print as <c>[secret]</c>
/// (a changed secret as <c>[secret] =&gt; [secret]</c>) and unknowns as <c>[known after apply]</c>. Keys are sorted.
/// </summary>
internal static class PropertyDiffFormatter
{
    private static readonly JsonSerializerOptions StringOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static List<DiffLine> Lines(Step step)
    {
        var lines = new List<DiffLine>();
        var (old, @new) = (step.Old?.Inputs, step.New?.Inputs);
        if (step.State.ProviderRef is { } provider && !ProviderResource.IsDefaultProvider(provider.Urn))
        {
            // Pulumi prints [provider=<urn>::<id>]; an id not known yet is the provider still to be created.
            lines.Add(new(' ', $"[provider={provider.Urn.Value}::{(provider.IdKnown ? provider.Id : PropertyValues.UnknownDisplay)}]"));
        }
        switch (step.Op)
        {
            case StepOp.Create or StepOp.Read when @new is not null:
                foreach (var key in SortedKeys(@new)) Whole(lines, '+', key, @new[key], 0);
                break;
            case StepOp.Delete or StepOp.DeleteReplaced when old is not null:
                foreach (var key in SortedKeys(old)) Whole(lines, '-', key, old[key], 0);
                break;
            case StepOp.Update or StepOp.Replace or StepOp.CreateReplacement or StepOp.Refresh:
                ObjectBody(lines, old ?? new JsonObject(), @new ?? new JsonObject(), 0);
                break;
        }
        return lines;
    }

    private static IEnumerable<string> SortedKeys(JsonObject o) => o.Select(kv => kv.Key).Order(StringComparer.Ordinal);

    private static bool IsPlainObject(JsonNode? node) =>
        node is JsonObject o && !PropertyValues.IsSecret(o) && !PropertyValues.IsOutputPlaceholder(o);

    private static readonly string[] Pads = [.. Enumerable.Range(0, 16).Select(depth => new string(' ', depth * 4))];

    private static string Pad(int depth) => depth < Pads.Length ? Pads[depth] : new(' ', depth * 4);

    /// <summary>A whole value added (<c>+</c>) or removed (<c>-</c>).</summary>
    private static void Whole(List<DiffLine> lines, char kind, string key, JsonNode? value, int depth)
    {
        var pad = Pad(depth);
        switch (value)
        {
            case JsonObject o when IsPlainObject(o) && o.Count > 0:
                lines.Add(new(kind, $"{pad}{kind} {key}: {{"));
                foreach (var k in SortedKeys(o)) Whole(lines, kind, k, o[k], depth + 1);
                lines.Add(new(kind, $"{pad}  }}"));
                break;
            case JsonArray a when a.Count > 0:
                lines.Add(new(kind, $"{pad}{kind} {key}: ["));
                for (var i = 0; i < a.Count; i++) Whole(lines, kind, $"[{i}]", a[i], depth + 1);
                lines.Add(new(kind, $"{pad}  ]"));
                break;
            default:
                lines.Add(new(kind, $"{pad}{kind} {key}: {Format(value)}"));
                break;
        }
    }

    private static void ObjectBody(List<DiffLine> lines, JsonObject old, JsonObject @new, int depth)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (k, _) in old) keys.Add(k);
        foreach (var (k, _) in @new) keys.Add(k);
        foreach (var key in keys)
        {
            var inOld = old.TryGetPropertyValue(key, out var o);
            var inNew = @new.TryGetPropertyValue(key, out var n);
            if (!inOld) Whole(lines, '+', key, n, depth);
            else if (!inNew) Whole(lines, '-', key, o, depth);
            else Changed(lines, key, o, n, depth);
        }
    }

    private static void Changed(List<DiffLine> lines, string key, JsonNode? old, JsonNode? @new, int depth)
    {
        if (JsonNode.DeepEquals(old, @new)) return;
        var pad = Pad(depth);
        if (IsPlainObject(old) && IsPlainObject(@new))
        {
            lines.Add(new('~', $"{pad}~ {key}: {{"));
            ObjectBody(lines, (JsonObject)old!, (JsonObject)@new!, depth + 1);
            lines.Add(new('~', $"{pad}  }}"));
        }
        else if (old is JsonArray a && @new is JsonArray b)
        {
            lines.Add(new('~', $"{pad}~ {key}: ["));
            for (var i = 0; i < Math.Max(a.Count, b.Count); i++)
            {
                if (i >= a.Count) Whole(lines, '+', $"[{i}]", b[i], depth + 1);
                else if (i >= b.Count) Whole(lines, '-', $"[{i}]", a[i], depth + 1);
                else Changed(lines, $"[{i}]", a[i], b[i], depth + 1);
            }
            lines.Add(new('~', $"{pad}  ]"));
        }
        else
        {
            lines.Add(new('~', $"{pad}~ {key}: {Format(old)} => {Format(@new)}"));
        }
    }

    /// <summary>A value on one line: strings quoted, secrets and unknowns as their display markers, trees redacted.</summary>
    public static string Format(JsonNode? value) => value switch
    {
        null => "null",
        // A secret not known yet (a kubeconfig still to be read back) says so; its value is never shown either way.
        _ when PropertyValues.IsSecret(value) && PropertyValues.ContainsUnknowns(PropertyValues.Unwrap(value)) => PropertyValues.UnknownDisplay,
        _ when PropertyValues.IsSecret(value) => PropertyValues.SecretDisplay,
        _ when PropertyValues.IsUnknown(value) || PropertyValues.IsOutputPlaceholder(value) => PropertyValues.UnknownDisplay,
        JsonValue v when v.TryGetValue<string>(out var s) => Quoted(s),
        JsonObject { Count: 0 } => "{}",
        JsonArray { Count: 0 } => "[]",
        JsonValue => value.ToJsonString(),
        _ => PropertyValues.Redact(value)!.ToJsonString(StringOptions),
    };

    /// <summary>
    /// A string as JSON text. Most need no escaping (the encoder hands the same string back), and are just quoted;
    /// the rest go through the serializer.
    /// </summary>
    private static string Quoted(string s) =>
        ReferenceEquals(StringOptions.Encoder!.Encode(s), s) ? string.Concat("\"", s, "\"") : JsonValue.Create(s).ToJsonString(StringOptions);
}
