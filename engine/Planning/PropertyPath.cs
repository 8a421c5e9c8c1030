using System.Text;
using System.Text.Json.Nodes;

namespace Llmctl.Engine.Planning;

/// <summary>
/// Pulumi property paths: <c>spec.template.spec.containers[0].image</c>, <c>metadata.labels["app.kubernetes.io/name"]</c>,
/// <c>items[*].weight</c>. Segments are object keys (string) or array indexes (int); <c>*</c> matches any one segment.
/// </summary>
public static class PropertyPath
{
    public static IReadOnlyList<object> Parse(string path)
    {
        var segments = new List<object>();
        var current = new StringBuilder();
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c == '.')
            {
                Flush();
            }
            else if (c == '[')
            {
                Flush();
                var close = path.IndexOf(']', i);
                if (close < 0) throw new FormatException($"unclosed '[' in property path '{path}'");
                var inner = path[(i + 1)..close];
                if (inner.Length >= 2 && inner[0] == '"' && inner[^1] == '"') segments.Add(inner[1..^1]);
                else if (inner == "*") segments.Add("*");
                else if (int.TryParse(inner, out var index)) segments.Add(index);
                else throw new FormatException($"'{inner}' is not an index in property path '{path}'");
                i = close;
            }
            else
            {
                current.Append(c);
            }
        }
        Flush();
        return segments;

        void Flush()
        {
            if (current.Length > 0) segments.Add(current.ToString());
            current.Clear();
        }
    }

    public static string Format(IEnumerable<object> segments)
    {
        var sb = new StringBuilder();
        foreach (var s in segments)
        {
            switch (s)
            {
                case int i:
                    sb.Append('[').Append(i).Append(']');
                    break;
                case string k when k.Length > 0 && k.All(ch => char.IsLetterOrDigit(ch) || ch is '_' or '-' or '$'):
                    if (sb.Length > 0) sb.Append('.');
                    sb.Append(k);
                    break;
                case string k:
                    sb.Append("[\"").Append(k).Append("\"]");
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Whether <paramref name="path"/> lies at or under <paramref name="pattern"/> (wildcards allowed).</summary>
    public static bool IsAtOrUnder(IReadOnlyList<object> path, IReadOnlyList<object> pattern)
    {
        if (pattern.Count == 1 && pattern[0] is "*") return true;
        if (path.Count < pattern.Count) return false;
        for (var i = 0; i < pattern.Count; i++)
        {
            if (pattern[i] is "*") continue;
            if (!Equals(pattern[i], path[i])) return false;
        }
        return true;
    }

    /// <summary>
    /// Applies <c>ignoreChanges</c>: at each matching path the old value replaces the new one, and a value absent
    /// from the old state is dropped from the new (Pulumi's semantics; arrays keep the old length).
    /// </summary>
    public static JsonObject ApplyIgnoreChanges(JsonObject oldInputs, JsonObject newInputs, IEnumerable<string> paths)
    {
        var result = (JsonObject)newInputs.DeepClone();
        foreach (var path in paths)
        {
            Substitute(oldInputs, result, Parse(path), 0);
        }
        return result;
    }

    private static void Substitute(JsonNode? oldNode, JsonNode? newNode, IReadOnlyList<object> segments, int at)
    {
        if (at == segments.Count - 1)
        {
            var last = segments[at];
            switch (newNode)
            {
                case JsonObject n:
                    foreach (var key in Keys(n, oldNode as JsonObject, last))
                    {
                        var o = oldNode as JsonObject;
                        if (o is not null && o.TryGetPropertyValue(key, out var ov)) n[key] = ov?.DeepClone();
                        else n.Remove(key);
                    }
                    break;
                case JsonArray a when oldNode is JsonArray oa:
                    if (last is "*")
                    {
                        var copy = (JsonArray)oa.DeepClone();
                        a.Clear();
                        foreach (var item in copy.ToList()) { copy.Remove(item); a.Add(item); }
                    }
                    else if (last is int i && i < a.Count)
                    {
                        if (i < oa.Count) a[i] = oa[i]?.DeepClone();
                        else a.RemoveAt(i);
                    }
                    break;
            }
            return;
        }
        var seg = segments[at];
        switch (newNode)
        {
            case JsonObject n:
                foreach (var key in Keys(n, oldNode as JsonObject, seg))
                {
                    Substitute((oldNode as JsonObject)?[key], n[key], segments, at + 1);
                }
                break;
            case JsonArray a:
                var oldArray = oldNode as JsonArray;
                if (oldArray is not null && seg is "*")
                {
                    // Old [1,2] + new [a,b,c] under a[*] keeps new length but old values where both exist.
                    for (var i = 0; i < a.Count && i < oldArray.Count; i++) Substitute(oldArray[i], a[i], segments, at + 1);
                }
                else if (seg is int idx && idx < a.Count)
                {
                    Substitute(oldArray is not null && idx < oldArray.Count ? oldArray[idx] : null, a[idx], segments, at + 1);
                }
                break;
        }
    }

    private static IEnumerable<string> Keys(JsonObject n, JsonObject? o, object segment) => segment switch
    {
        "*" => n.Select(kv => kv.Key).Union(o?.Select(kv => kv.Key) ?? []).ToList(),
        string key => [key],
        _ => [],
    };
}
