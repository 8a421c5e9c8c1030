using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Components.Tests.Gpu;

/// <summary>
/// Reads YAML the way Helm (sigs.k8s.io/yaml, YAML 1.1) types it, as far as these tests need: plain true/false are
/// booleans, plain decimal integers without a leading zero are numbers, the rest strings.
/// </summary>
internal static partial class YamlJson
{
    public static JsonObject Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (JsonObject)Convert(stream.Documents[0].RootNode)!;
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, Convert(kv.Value)))),
        YamlSequenceNode s => new JsonArray(s.Children.Select(Convert).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } b => JsonValue.Create(b.Value == "true"),
        YamlScalarNode { Style: ScalarStyle.Plain } n when Integer().IsMatch(n.Value ?? "") => JsonValue.Create(long.Parse(n.Value!, System.Globalization.CultureInfo.InvariantCulture)),
        YamlScalarNode sc => JsonValue.Create(sc.Value),
        _ => null,
    };

    /// <summary>Asserts the two objects have the same keys and, key by key, equal values (the failing key is named).</summary>
    public static void AssertSameFields(JsonObject expected, JsonObject actual)
    {
        Assert.Equal(expected.Select(kv => kv.Key).Order(StringComparer.Ordinal), actual.Select(kv => kv.Key).Order(StringComparer.Ordinal));
        foreach (var (key, value) in expected)
        {
            Assert.True(JsonNode.DeepEquals(value, actual[key]), $"{key}: expected {value?.ToJsonString()}, got {actual[key]?.ToJsonString()}");
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("^-?(0|[1-9][0-9]*)$")]
    private static partial System.Text.RegularExpressions.Regex Integer();
}
