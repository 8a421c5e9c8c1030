using System.Text.Json.Nodes;
using Llmctl.Engine.Model;

namespace Llmctl.Engine.Tests;

public class PropertyValuesTests
{
    private const string Unknown = PropertyValues.UnknownString;
    private const string Sig = PropertyValues.SigKey;

    // Trees with an unknown, a deferred output, or a secret holding either, at several depths.
    public static TheoryData<string> WithUnknowns => new()
    {
        $$$"""{"a":"{{{Unknown}}}"}""",
        $$$"""{"spec":{"containers":[{"env":[{"value":"{{{Unknown}}}"}]}]}}""",
        $$$"""{"a":{"{{{Sig}}}":"{{{PropertyValues.OutputSig}}}","id":0}}""",
        $$$"""{"a":[1,{"{{{Sig}}}":"{{{PropertyValues.SecretSig}}}","value":{"b":"{{{Unknown}}}"}}]}""",
        $$$"""["x",["{{{Unknown}}}"]]""",
    };

    // Trees without: the markers' text inside a longer string or as a key is not a marker.
    public static TheoryData<string> WithoutUnknowns => new()
    {
        """{"a":"b","c":[1,2.5,true,null,{"d":"é🦙"}]}""",
        $$$"""{"a":"prefix-{{{Unknown}}}"}""",
        $$$"""{"{{{Unknown}}}":1}""",
        $$$"""{"a":{"{{{Sig}}}":"{{{PropertyValues.SecretSig}}}","value":"s3cr3t"}}""",
        "{}",
    };

    [Theory]
    [MemberData(nameof(WithUnknowns))]
    public void Unknowns_are_found_in_parsed_and_built_trees_and_the_quick_test_never_misses_them(string json)
    {
        var parsed = JsonNode.Parse(json);
        var built = Rebuild(parsed);

        Assert.True(PropertyValues.ContainsUnknowns(parsed));
        Assert.True(PropertyValues.ContainsUnknowns(built));
        Assert.True(PropertyValues.MayContainUnknowns(parsed));
        Assert.True(PropertyValues.MayContainUnknowns(built));
    }

    [Theory]
    [MemberData(nameof(WithoutUnknowns))]
    public void Trees_without_unknowns_have_none_and_plain_text_passes_the_quick_test(string json)
    {
        var parsed = JsonNode.Parse(json);

        Assert.False(PropertyValues.ContainsUnknowns(parsed));
        Assert.False(PropertyValues.ContainsUnknowns(Rebuild(parsed)));
        // Without either marker's text anywhere, the quick test says so; with it (as a key, or inside a longer string) it may say maybe.
        if (!json.Contains(Unknown, StringComparison.Ordinal)) Assert.False(PropertyValues.MayContainUnknowns(parsed));
    }

    [Fact]
    public void Markers_read_from_json_text_and_built_in_memory_are_the_same_markers()
    {
        var parsed = JsonNode.Parse($$$"""{"u":"{{{Unknown}}}","s":{"{{{Sig}}}":"{{{PropertyValues.SecretSig}}}","value":1},"o":{"{{{Sig}}}":"{{{PropertyValues.OutputSig}}}","id":0},"n":"{{{Unknown}}}x"}""")!;

        Assert.True(PropertyValues.IsUnknown(parsed["u"]));
        Assert.True(PropertyValues.IsUnknown(PropertyValues.Unknown()));
        Assert.True(PropertyValues.IsSecret(parsed["s"]));
        Assert.True(PropertyValues.IsSecret(PropertyValues.Secret(1)));
        Assert.True(PropertyValues.IsOutputPlaceholder(parsed["o"]));
        Assert.False(PropertyValues.IsUnknown(parsed["n"]));
        Assert.False(PropertyValues.IsUnknown(JsonValue.Create(42)));
        Assert.False(PropertyValues.IsSecret(parsed["o"]));
    }

    /// <summary>The same tree built from in-memory values (strings as .NET strings, not JSON text).</summary>
    private static JsonNode? Rebuild(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, Rebuild(kv.Value)))),
        JsonArray a => new JsonArray(a.Select(Rebuild).ToArray()),
        JsonValue v when v.TryGetValue<string>(out var s) => JsonValue.Create(s),
        _ => node?.DeepClone(),
    };
}
