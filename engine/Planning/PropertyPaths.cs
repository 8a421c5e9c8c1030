using System.Text.Json.Nodes;

namespace Llmctl.Engine.Planning;

/// <summary>
/// Matching and <c>ignoreChanges</c> over Pulumi property paths (<c>spec.containers[0].image</c>, <c>items[*].weight</c>),
/// parsed by <see cref="Config.PropertyPath"/>; <c>*</c> matches any one segment.
/// </summary>
public static class PropertyPaths
{
    public static IReadOnlyList<object> Parse(string path) => path.Length == 0 ? [] : Config.PropertyPath.Parse(path).Segments;

    public static string Format(IEnumerable<object> segments)
    {
        var list = segments.ToList();
        return list.Count == 0 ? "" : new Config.PropertyPath(list).ToString();
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
