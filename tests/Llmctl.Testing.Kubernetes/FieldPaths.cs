using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Llmctl.Testing.Kubernetes;

/// <summary>
/// Field paths as structured-merge-diff (the API server's server-side apply) sets them, for managedFields, ownership
/// and conflicts. A path is a chain of <c>fieldsV1</c> elements: <c>f:name</c> (a field), <c>k:{"name":"main"}</c> (an
/// item of a list whose items are keyed), <c>v:"x"</c> (an item of a set). What is owned (sigs.k8s.io/structured-merge-
/// diff, typed/tofieldset.go): every scalar; every null or empty map; an atomic list or struct as one value; each item
/// of a keyed list or set (the item itself, shown as <c>.</c> beside its fields) and its fields.
/// <para>
/// The fake has no OpenAPI schema, so which lists are keyed comes from the Kubernetes API types (their
/// <c>listType=map</c> / <c>patchMergeKey</c> markers) for the built-in kinds, by field name; every other list is
/// atomic, as a custom resource's list is unless its CRD says otherwise. The one key with a schema default is a port's
/// <c>protocol</c> (TCP), which the key carries even when the item leaves it out.
/// </para>
/// </summary>
internal static class FieldPaths
{
    private const char Sep = '\u001f';

    /// <summary>Fields nobody owns: identity and server-maintained metadata.</summary>
    private static readonly HashSet<string> Unowned = new(StringComparer.Ordinal)
    {
        Field("apiVersion"), Field("kind"), Field("metadata", "name"), Field("metadata", "namespace"), Field("metadata", "uid"),
        Field("metadata", "resourceVersion"), Field("metadata", "generation"), Field("metadata", "creationTimestamp"),
        Field("metadata", "managedFields"), Field("metadata", "deletionTimestamp"),
    };

    // Built-in lists whose items are keyed (k8s.io/api: +listType=map with +listMapKey, or +patchMergeKey).
    private static readonly Dictionary<string, string[]> KeyedLists = new(StringComparer.Ordinal)
    {
        ["containers"] = ["name"],
        ["initContainers"] = ["name"],
        ["ephemeralContainers"] = ["name"],
        ["env"] = ["name"],
        ["volumes"] = ["name"],
        ["volumeMounts"] = ["mountPath"],
        ["volumeDevices"] = ["devicePath"],
        ["imagePullSecrets"] = ["name"],
        ["hostAliases"] = ["ip"],
        ["resourceClaims"] = ["name"],
        ["topologySpreadConstraints"] = ["topologyKey", "whenUnsatisfiable"],
        ["ownerReferences"] = ["uid"],
        ["conditions"] = ["type"],
    };

    // Built-in lists that are sets of scalars (+listType=set): items are v:<value>.
    private static readonly HashSet<string> SetLists = new(StringComparer.Ordinal) { "finalizers" };

    // Built-in structs and maps owned as one value: LabelSelector (+structType=atomic), and the selector and node
    // selector maps (+mapType=atomic).
    private static readonly HashSet<string> AtomicMaps = new(StringComparer.Ordinal)
    {
        "selector", "labelSelector", "namespaceSelector", "podSelector", "nodeSelector",
    };

    private static readonly JsonSerializerOptions KeyJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A path of plain field names (<c>metadata</c>, <c>name</c>).</summary>
    public static string Field(params string[] names) => string.Join(Sep, names.Select(n => "f:" + n));

    public static string[] Segments(string key) => key.Split(Sep);

    /// <summary>
    /// How the real server prints a field in a conflict: <c>.spec.replicas</c>,
    /// <c>.spec.template.spec.containers[name="main"].image</c>.
    /// </summary>
    public static string Display(string key)
    {
        var text = new System.Text.StringBuilder();
        foreach (var segment in Segments(key))
        {
            switch (segment[0])
            {
                case 'f':
                    text.Append('.').Append(segment[2..]);
                    break;
                case 'k':
                    var fields = JsonNode.Parse(segment[2..])!.AsObject().Select(kv => $"{kv.Key}={kv.Value!.ToJsonString(KeyJson)}");
                    text.Append('[').Append(string.Join(',', fields)).Append(']');
                    break;
                default:
                    text.Append("[=").Append(segment[2..]).Append(']');
                    break;
            }
        }
        return text.ToString();
    }

    /// <summary>Whether <paramref name="key"/> lies inside <paramref name="parent"/> (a field of a list item).</summary>
    public static bool IsUnder(string key, string parent) =>
        key.Length > parent.Length && key[parent.Length] == Sep && key.StartsWith(parent, StringComparison.Ordinal);

    /// <summary>Whether the path ends at a list item (owned as an item, compared by its presence).</summary>
    public static bool IsItem(string key) => key[key.LastIndexOf(Sep) + 1] is 'k' or 'v';

    /// <summary>The owned paths of an object, in document order; <paramref name="builtin"/>: a kind the API server defines.</summary>
    public static List<string> Owned(JsonObject obj, bool builtin)
    {
        var result = new List<string>();
        WalkMap(obj, [], result, builtin);
        result.RemoveAll(Unowned.Contains);
        return result;
    }

    /// <summary>The owned paths of an object as a set.</summary>
    public static HashSet<string> Leaves(JsonObject obj, bool builtin) => new(Owned(obj, builtin), StringComparer.Ordinal);

    private static void WalkMap(JsonObject obj, List<string> path, List<string> into, bool builtin)
    {
        foreach (var (name, value) in obj)
        {
            path.Add("f:" + name);
            switch (value)
            {
                case JsonObject child when child.Count > 0 && !(builtin && AtomicMaps.Contains(name)):
                    WalkMap(child, path, into, builtin);
                    break;
                case JsonArray list when builtin && Keyed(name, list) is { } keys:
                    WalkItems(list, keys, path, into, builtin);
                    break;
                case JsonArray list when builtin && SetLists.Contains(name) && list.All(i => i is JsonValue):
                    foreach (var item in list)
                    {
                        into.Add(Key([.. path, "v:" + item!.ToJsonString(KeyJson)]));
                    }
                    break;
                default:
                    // A scalar, null, an empty map, an atomic list or struct: one owned value.
                    into.Add(Key(path));
                    break;
            }
            path.RemoveAt(path.Count - 1);
        }
    }

    private static void WalkItems(JsonArray list, string[] keys, List<string> path, List<string> into, bool builtin)
    {
        foreach (var item in list.OfType<JsonObject>())
        {
            path.Add(ItemKey(item, keys));
            into.Add(Key(path));
            WalkMap(item, path, into, builtin);
            path.RemoveAt(path.Count - 1);
        }
    }

    /// <summary>The keys of a keyed list, or null when the list is atomic (or an item lacks every key: invalid, kept whole).</summary>
    private static string[]? Keyed(string name, JsonArray list)
    {
        string[]? keys = name switch
        {
            // Container ports are keyed by containerPort and protocol, a Service's by port and protocol.
            "ports" when list.All(i => i is JsonObject o && o.ContainsKey("containerPort")) => ["containerPort", "protocol"],
            "ports" when list.All(i => i is JsonObject o && o.ContainsKey("port")) => ["port", "protocol"],
            _ => KeyedLists.GetValueOrDefault(name),
        };
        return keys is not null && list.All(i => i is JsonObject o && keys.Any(k => o.ContainsKey(k) || Default(k) is not null)) ? keys : null;
    }

    private static JsonNode? Default(string keyField) => keyField == "protocol" ? JsonValue.Create("TCP") : null;

    // k:{"containerPort":80,"protocol":"TCP"}: the key fields the item has (or defaults), sorted by name.
    private static string ItemKey(JsonObject item, string[] keys)
    {
        var key = new JsonObject();
        foreach (var field in keys.Order(StringComparer.Ordinal))
        {
            if ((item[field] ?? Default(field)) is { } value) key[field] = value.DeepClone();
        }
        return "k:" + key.ToJsonString(KeyJson);
    }

    private static string Key(IEnumerable<string> segments) => string.Join(Sep, segments);

    private static bool Matches(JsonNode? item, string segment)
    {
        if (segment[0] == 'v') return item is not null && item.ToJsonString(KeyJson) == segment[2..];
        if (item is not JsonObject o) return false;
        foreach (var (field, value) in JsonNode.Parse(segment[2..])!.AsObject())
        {
            var actual = o[field] ?? Default(field);
            if (actual is null || actual.ToJsonString(KeyJson) != value!.ToJsonString(KeyJson)) return false;
        }
        return true;
    }

    private static bool TryStep(JsonNode? node, string segment, out JsonNode? next)
    {
        next = null;
        if (segment[0] == 'f') return node is JsonObject o && o.TryGetPropertyValue(segment[2..], out next);
        if (node is not JsonArray list) return false;
        next = list.FirstOrDefault(i => Matches(i, segment));
        return next is not null;
    }

    public static JsonNode? Get(JsonObject root, string key)
    {
        JsonNode? node = root;
        foreach (var segment in Segments(key))
        {
            if (!TryStep(node, segment, out node)) return null;
        }
        return node;
    }

    public static bool Has(JsonObject root, string key)
    {
        JsonNode? node = root;
        foreach (var segment in Segments(key))
        {
            if (!TryStep(node, segment, out node)) return false;
        }
        return true;
    }

    /// <summary>
    /// Writes the value at a path, making the maps, lists and list items on the way; a path that ends at a list item
    /// makes sure the item exists (with its key fields) and leaves its other fields to their own paths.
    /// </summary>
    public static void Set(JsonObject root, string key, JsonNode? value)
    {
        var segments = Segments(key);
        JsonNode node = root;
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            var last = i == segments.Length - 1;
            if (segment[0] == 'f')
            {
                var map = (JsonObject)node;
                var name = segment[2..];
                if (last)
                {
                    map[name] = value?.DeepClone();
                    return;
                }
                var child = map[name];
                var wantList = segments[i + 1][0] is 'k' or 'v';
                if (wantList ? child is not JsonArray : child is not JsonObject)
                {
                    child = wantList ? new JsonArray() : new JsonObject();
                    map[name] = child;
                }
                node = child!;
                continue;
            }
            var list = (JsonArray)node;
            var item = list.FirstOrDefault(n => Matches(n, segment));
            if (item is null)
            {
                item = segment[0] == 'v' ? JsonNode.Parse(segment[2..]) : JsonNode.Parse(segment[2..])!.AsObject();
                list.Add(item);
            }
            if (last) return;
            node = item!;
        }
    }

    /// <summary>
    /// Removes a field or list item, and the maps and lists it leaves empty. A list item's key field stays while the
    /// item does: the item goes as a whole when nobody owns it any more.
    /// </summary>
    public static void Remove(JsonObject root, string key)
    {
        var segments = Segments(key);
        if (segments.Length >= 2 && segments[^2][0] == 'k' && segments[^1][0] == 'f'
            && JsonNode.Parse(segments[^2][2..])!.AsObject().ContainsKey(segments[^1][2..]))
        {
            return;
        }
        var chain = new List<JsonNode> { root };
        for (var i = 0; i < segments.Length - 1; i++)
        {
            if (!TryStep(chain[^1], segments[i], out var next) || next is null) return;
            chain.Add(next);
        }
        if (!TryStep(chain[^1], segments[^1], out var target)) return;
        RemoveChild(chain[^1], segments[^1], target);
        for (var i = chain.Count - 1; i > 0 && chain[i] is JsonObject { Count: 0 } or JsonArray { Count: 0 }; i--)
        {
            RemoveChild(chain[i - 1], segments[i - 1], chain[i]);
        }
    }

    // By reference: an item is removed even when what made it match its key is gone.
    private static void RemoveChild(JsonNode parent, string segment, JsonNode? child)
    {
        if (parent is JsonObject map) map.Remove(segment[2..]);
        else if (parent is JsonArray list && child is not null) list.Remove(child);
    }

    /// <summary>
    /// The <c>fieldsV1</c> form: <c>{"f:spec": {"f:replicas": {}}}</c>; a path owned itself and through its children
    /// (a list item) carries <c>".": {}</c> beside them.
    /// </summary>
    public static JsonObject ToFieldsV1(IEnumerable<string> keys)
    {
        var paths = keys.ToList();
        var root = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var key in paths)
        {
            var node = root;
            foreach (var segment in Segments(key))
            {
                if (!node.TryGetValue(segment, out var next))
                {
                    next = new SortedDictionary<string, object>(StringComparer.Ordinal);
                    node[segment] = next;
                }
                node = (SortedDictionary<string, object>)next;
            }
        }
        foreach (var key in paths)
        {
            var node = root;
            foreach (var segment in Segments(key)) node = (SortedDictionary<string, object>)node[segment];
            if (node.Count > 0 && !node.ContainsKey(".")) node["."] = new SortedDictionary<string, object>(StringComparer.Ordinal);
        }
        return ToJson(root);
    }

    // "." sorts before "f:", "k:" and "v:" in ordinal order, as the API server writes it first.
    private static JsonObject ToJson(SortedDictionary<string, object> node)
    {
        var result = new JsonObject();
        foreach (var (name, child) in node) result[name] = ToJson((SortedDictionary<string, object>)child);
        return result;
    }
}

/// <summary>Numbers read whatever CLR type backs the node (parsed JSON, or an int a test put there).</summary>
internal static class Json
{
    public static long? Long(JsonNode? node) =>
        node is JsonValue v && long.TryParse(v.ToJsonString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
}
