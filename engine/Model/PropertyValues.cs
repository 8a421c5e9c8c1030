using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Llmctl.Engine.Model;

/// <summary>
/// Resource inputs and outputs are JSON trees. Secrets, deferred values and unknowns are marked inside them with
/// Pulumi's special-value signature so the checkpoint keeps Pulumi's property-value shape:
/// a secret is <c>{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": …}</c> in memory
/// and carries <c>"ciphertext"</c> instead of <c>"value"</c> on disk; an unknown is the string
/// <see cref="UnknownString"/>; a deferred input is <c>{sig: "d0e6a833031e9bbcd3f4e8bde6ca49a4", "id": n}</c>
/// until the engine resolves it.
/// </summary>
public static class PropertyValues
{
    public const string SigKey = "4dabf18193072939515e22adb298388d";
    public const string SecretSig = "1b47061264138c4ac30d75fd1eb44270";
    public const string OutputSig = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
    /// <summary>Pulumi's sentinel for a value not known until apply (<c>UnknownStringValue</c>).</summary>
    public const string UnknownString = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    public const string SecretDisplay = "[secret]";
    public const string UnknownDisplay = "[known after apply]";

    public static JsonObject Secret(JsonNode? value) => new()
    {
        [SigKey] = SecretSig,
        ["value"] = value?.DeepClone(),
    };

    public static JsonNode Unknown() => JsonValue.Create(UnknownString);

    public static bool IsSecret(JsonNode? node) => node is JsonObject o && HasSignature(o, SecretSig);

    public static bool IsOutputPlaceholder(JsonNode? node) => node is JsonObject o && HasSignature(o, OutputSig);

    public static bool IsUnknown(JsonNode? node) => node is JsonValue v && IsString(v, UnknownString);

    private static bool HasSignature(JsonObject o, string signature) =>
        o.TryGetPropertyValue(SigKey, out var sig) && sig is JsonValue v && IsString(v, signature);

    /// <summary>
    /// Whether <paramref name="value"/> is the string <paramref name="expected"/>. A value read from JSON text is
    /// compared in place (asking it for a string would decode a copy every time).
    /// </summary>
    private static bool IsString(JsonValue value, string expected)
    {
        if (value.TryGetValue<JsonElement>(out var element)) return element.ValueKind == JsonValueKind.String && element.ValueEquals(expected);
        return value.TryGetValue<string>(out var s) && s == expected;
    }

    /// <summary>The value inside a secret wrapper, or the node itself.</summary>
    public static JsonNode? Unwrap(JsonNode? node) => IsSecret(node) ? ((JsonObject)node!)["value"] : node;

    public static bool ContainsSecrets(JsonNode? node) => Any(node, IsSecret);

    public static bool ContainsUnknowns(JsonNode? node) => Any(node, static n => IsUnknown(n) || IsOutputPlaceholder(n));

    public static bool ContainsOutputPlaceholders(JsonNode? node) => Any(node, IsOutputPlaceholder);

    /// <summary>
    /// A quick test that never misses: false means <paramref name="node"/> holds neither unknowns nor deferred
    /// outputs (nor secrets with either inside); true means it may (<see cref="ContainsUnknowns"/> tells). It reads the
    /// tree's JSON text for the two markers instead of walking its nodes: a tree parsed from JSON (every Kubernetes
    /// object a program builds) is written straight from its text, where a walk would first build a node for every
    /// value in it.
    /// </summary>
    public static bool MayContainUnknowns(JsonNode? node) =>
        node is JsonObject or JsonArray ? JsonText.MayContain(node, UnknownUtf8, OutputSigUtf8) : ContainsUnknowns(node);

    // Plain ASCII, so never escaped in JSON text.
    private static readonly byte[] UnknownUtf8 = Encoding.UTF8.GetBytes(UnknownString);
    private static readonly byte[] OutputSigUtf8 = Encoding.UTF8.GetBytes(OutputSig);

    /// <summary>A copy fit for display: secrets become <c>[secret]</c>, unknowns <c>[known after apply]</c>.</summary>
    public static JsonNode? Redact(JsonNode? node) => node switch
    {
        _ when IsSecret(node) => JsonValue.Create(SecretDisplay),
        _ when IsUnknown(node) || IsOutputPlaceholder(node) => JsonValue.Create(UnknownDisplay),
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, Redact(kv.Value)))),
        JsonArray a => new JsonArray(a.Select(Redact).ToArray()),
        _ => node?.DeepClone(),
    };

    /// <summary>A copy with every secret wrapper removed, its value in place (for providers and <c>--show-secrets</c>).</summary>
    public static JsonNode? Reveal(JsonNode? node) => node switch
    {
        _ when IsSecret(node) => Reveal(((JsonObject)node!)["value"]),
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, Reveal(kv.Value)))),
        JsonArray a => new JsonArray(a.Select(Reveal).ToArray()),
        _ => node?.DeepClone(),
    };

    public static bool DeepEquals(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(a, b);

    private static bool Any(JsonNode? node, Func<JsonNode?, bool> predicate)
    {
        if (predicate(node)) return true;
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, value) in o)
                {
                    if (Any(value, predicate)) return true;
                }
                return false;
            case JsonArray a:
                foreach (var item in a)
                {
                    if (Any(item, predicate)) return true;
                }
                return false;
            default:
                return false;
        }
    }
}
