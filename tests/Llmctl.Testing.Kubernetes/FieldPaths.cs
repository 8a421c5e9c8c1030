using System.Text.Json.Nodes;

namespace Llmctl.Testing.Kubernetes;

/// <summary>
/// Leaf field paths of an object, the approximation of structured-merge-diff this fake uses: maps are walked, and
/// lists and empty maps are leaves (a real server merges keyed lists item by item; treating them as atomic is
/// enough to exercise ownership, conflicts and removal).
/// </summary>
internal static class FieldPaths
{
    private const char Sep = '\u001f';

    /// <summary>Fields nobody owns: identity and server-maintained metadata.</summary>
    private static readonly HashSet<string> Unowned = new(StringComparer.Ordinal)
    {
        "apiVersion", "kind", Key(["metadata", "name"]), Key(["metadata", "namespace"]), Key(["metadata", "uid"]),
        Key(["metadata", "resourceVersion"]), Key(["metadata", "generation"]), Key(["metadata", "creationTimestamp"]),
        Key(["metadata", "managedFields"]), Key(["metadata", "deletionTimestamp"]),
    };

    public static string Key(IEnumerable<string> segments) => string.Join(Sep, segments);

    public static string[] Segments(string key) => key.Split(Sep);

    /// <summary>How the real server prints a field in a conflict: <c>.spec.replicas</c>.</summary>
    public static string Display(string key) => "." + string.Join('.', Segments(key));

    public static HashSet<string> Leaves(JsonObject obj)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        Walk(obj, [], result);
        result.RemoveWhere(Unowned.Contains);
        return result;
    }

    private static void Walk(JsonObject obj, List<string> path, HashSet<string> into)
    {
        foreach (var (key, value) in obj)
        {
            path.Add(key);
            if (value is JsonObject child && child.Count > 0) Walk(child, path, into);
            else into.Add(Key(path));
            path.RemoveAt(path.Count - 1);
        }
    }

    public static JsonNode? Get(JsonObject root, string key)
    {
        JsonNode? node = root;
        foreach (var segment in Segments(key))
        {
            if (node is not JsonObject o || !o.TryGetPropertyValue(segment, out node)) return null;
        }
        return node;
    }

    public static bool Has(JsonObject root, string key)
    {
        var segments = Segments(key);
        JsonObject? node = root;
        for (var i = 0; i < segments.Length; i++)
        {
            if (node is null || !node.TryGetPropertyValue(segments[i], out var next)) return false;
            if (i == segments.Length - 1) return true;
            node = next as JsonObject;
        }
        return false;
    }

    public static void Set(JsonObject root, string key, JsonNode? value)
    {
        var segments = Segments(key);
        var node = root;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            if (node[segments[i]] is not JsonObject next)
            {
                next = new JsonObject();
                node[segments[i]] = next;
            }
            node = next;
        }
        node[segments[^1]] = value?.DeepClone();
    }

    /// <summary>Removes a field, and the maps it leaves empty.</summary>
    public static void Remove(JsonObject root, string key)
    {
        var segments = Segments(key);
        var chain = new List<JsonObject> { root };
        for (var i = 0; i < segments.Length - 1; i++)
        {
            if (chain[^1][segments[i]] is not JsonObject next) return;
            chain.Add(next);
        }
        chain[^1].Remove(segments[^1]);
        for (var i = chain.Count - 1; i > 0 && chain[i].Count == 0; i--) chain[i - 1].Remove(segments[i - 1]);
    }

    /// <summary>The <c>fieldsV1</c> form: <c>{"f:spec": {"f:replicas": {}}}</c>.</summary>
    public static JsonObject ToFieldsV1(IEnumerable<string> keys)
    {
        var root = new JsonObject();
        foreach (var key in keys.Order(StringComparer.Ordinal))
        {
            var node = root;
            foreach (var segment in Segments(key))
            {
                var name = "f:" + segment;
                if (node[name] is not JsonObject next)
                {
                    next = new JsonObject();
                    node[name] = next;
                }
                node = next;
            }
        }
        return root;
    }
}

/// <summary>Numbers read whatever CLR type backs the node (parsed JSON, or an int a test put there).</summary>
internal static class Json
{
    public static long? Long(JsonNode? node) =>
        node is JsonValue v && long.TryParse(v.ToJsonString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
}
