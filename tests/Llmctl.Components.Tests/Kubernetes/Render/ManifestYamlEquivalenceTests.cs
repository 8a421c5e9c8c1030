using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llmctl.Components.Kubernetes.Render;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;

namespace Llmctl.Components.Tests.Kubernetes.Render;

/// <summary>
/// <see cref="ManifestYaml"/> writes YAML event by event (no reflection, for the Native AOT build); these tests hold
/// it to the text YamlDotNet's reflection serializer wrote for the same tree with the settings llmctl used before
/// (<c>WithQuotingNecessaryStrings(quoteYaml1_1Strings: true)</c>, Go quoting, no aliases), over the strings that
/// need quoting and over thousands of random trees.
/// </summary>
public sealed class ManifestYamlEquivalenceTests
{
    private static readonly string[] Tricky =
    [
        "", " ", "  x", "x ", "a: b", "- a", "#c", "a #c", "yes", "No", "on", "OFF", "y", "n", "~", "null", "Null", "true", "False",
        "0", "-0", "+1", "0380", "0o17", "0x1F", "0b101", "1_000", "1e3", "1.5", ".5", "5.", "-.inf", ".NaN", "<<", "2024-01-02",
        "12:30", "1:20:30.5", "v1.35.6+k3s1", "line1\nline2", "tab\there", "quote\"d", "it's", "@at", "`tick", "%pct", "!bang",
        "&amp", "*star", "{a}", "[a]", "a,b", "ünïcödé", "emoji 🎉", "\\back", "ends:", "http://x:80/v1", "key=value", "|", ">",
    ];

    [Fact]
    public void Tricky_strings_as_keys_values_and_list_items_match_the_reflection_serializer()
    {
        var values = new JsonObject();
        var keys = new JsonObject();
        var list = new JsonArray();
        for (var i = 0; i < Tricky.Length; i++)
        {
            values[$"k{i:D3}"] = Tricky[i];
            if (Tricky[i].Length > 0) keys[Tricky[i]] = i;
            list.Add(Tricky[i]);
        }
        var obj = new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["b"] = "on" }, ["name"] = "x", ["namespace"] = "0380" },
            ["data"] = values, ["keys"] = keys, ["list"] = list, ["status"] = new JsonObject { ["phase"] = "gone" },
        };
        Assert.Equal(Reference.Write(obj), ManifestYaml.Write(obj));
        Assert.Equal(Reference.WriteValues(obj), ManifestYaml.WriteValues(obj));
    }

    [Fact]
    public void Numbers_bools_and_nulls_match_the_reflection_serializer()
    {
        var obj = JsonNode.Parse("""
            {"a": 1, "b": -9223372036854775808, "c": 9223372036854775808, "d": 1.50, "e": 1e3, "f": 0.000001, "g": true, "h": false,
             "i": null, "j": [null, 1, 2.5, "x", [], {}], "k": {}, "l": [], "m": {"n": null}}
            """)!.AsObject();
        Assert.Equal(Reference.Write(obj), ManifestYaml.Write(obj));
        Assert.Equal(Reference.WriteValues(obj), ManifestYaml.WriteValues(obj));
    }

    [Fact]
    public void Random_trees_match_the_reflection_serializer()
    {
        var random = new Random(20261201);
        for (var n = 0; n < 500; n++)
        {
            var obj = RandomObject(random, depth: 0);
            if (random.Next(3) == 0) obj["metadata"] = RandomObject(random, depth: 2);
            Assert.Equal(Reference.Write(obj), ManifestYaml.Write(obj));
            Assert.Equal(Reference.WriteValues(obj), ManifestYaml.WriteValues(obj));
        }
    }

    private static JsonObject RandomObject(Random random, int depth)
    {
        var o = new JsonObject();
        var count = random.Next(depth > 3 ? 2 : 6);
        for (var i = 0; i < count; i++) o[RandomString(random)] = RandomNode(random, depth + 1);
        return o;
    }

    private static JsonNode? RandomNode(Random random, int depth) => random.Next(depth > 3 ? 5 : 7) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(2) == 0),
        2 => random.Next(2) == 0 ? JsonValue.Create(random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(64))
            : JsonNode.Parse((random.NextDouble() * Math.Pow(10, random.Next(-8, 12))).ToString("R", CultureInfo.InvariantCulture)),
        3 or 4 => JsonValue.Create(RandomString(random)),
        5 => RandomObject(random, depth),
        _ => new JsonArray(Enumerable.Range(0, random.Next(4)).Select(_ => RandomNode(random, depth + 1)).ToArray()),
    };

    private static string RandomString(Random random)
    {
        if (random.Next(3) == 0) return Tricky[random.Next(Tricky.Length)];
        string[] alphabet = [.. "abcXYZ019 -_.:#'\"\\/{}[],&*!|>%@`~+=?\n\té".Select(c => c.ToString()), "🎉"];
        return string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(_ => alphabet[random.Next(alphabet.Length)]));
    }

    /// <summary>What ManifestYaml was before it wrote events itself: YamlDotNet's reflection serializer over plain .NET values.</summary>
    private static class Reference
    {
        private static readonly string[] TopOrder = ["apiVersion", "kind", "metadata", "spec", "data", "stringData", "binaryData", "type"];
        private static readonly string[] MetadataOrder = ["name", "namespace", "labels", "annotations"];

        private static readonly ISerializer Serializer = new SerializerBuilder()
            .WithQuotingNecessaryStrings(quoteYaml1_1Strings: true)
            .WithEventEmitter(next => new GoQuoting(next))
            .DisableAliases()
            .Build();

        public static string Write(JsonObject o)
        {
            using var writer = new StringWriter { NewLine = "\n" };
            Serializer.Serialize(new Emitter(writer, new EmitterSettings(2, int.MaxValue, false, 1024)), Ordered(o, TopOrder, top: true));
            return writer.ToString();
        }

        public static string WriteValues(JsonObject values)
        {
            using var writer = new StringWriter { NewLine = "\n" };
            Serializer.Serialize(new Emitter(writer, new EmitterSettings(2, int.MaxValue, false, 1024)), Ordered(values, [], keepNulls: true));
            return writer.ToString();
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
                JsonValueKind.Number => long.TryParse(v.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)
                    ? l : decimal.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture),
                _ => null,
            },
            _ => null,
        };

        private sealed class GoQuoting(IEventEmitter next) : ChainedEventEmitter(next)
        {
            public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
            {
                if (eventInfo.Source.Type == typeof(string) && eventInfo.Source.Value is string s && GoYamlQuoting.WouldRetype(s))
                {
                    eventInfo.Style = ScalarStyle.DoubleQuoted;
                }
                base.Emit(eventInfo, emitter);
            }
        }
    }
}
