using Xunit;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Testing;

/// <summary>
/// Checks Helm values a component sets against the chart's own upstream <c>values.yaml</c> in
/// <c>../shared/upstream/charts/&lt;chart&gt;/</c>: every key path must exist there, except under the free-form maps a
/// test names explicitly (extra env, annotations, node selectors, …). Keys inside a list are checked against the
/// list's first item when the upstream list has one.
/// </summary>
public static class ChartValues
{
    /// <summary>Key paths in <paramref name="values"/> that the chart's values.yaml does not have.</summary>
    public static IReadOnlyList<string> UnknownKeys(string chart, JsonObject values, params string[] freeForm)
    {
        var path = SharedFiles.RequirePath("upstream", "charts", chart, "values.yaml");
        var yaml = new YamlStream();
        using (var reader = File.OpenText(path)) yaml.Load(reader);
        var root = yaml.Documents.Count == 0 ? new YamlMappingNode() : yaml.Documents[0].RootNode;
        var unknown = new List<string>();
        Walk(values, root, "", freeForm, unknown);
        return unknown;
    }

    /// <summary>Fails with every unknown key path listed.</summary>
    public static void AssertKeysExist(string chart, JsonObject values, params string[] freeForm)
    {
        var unknown = UnknownKeys(chart, values, freeForm);
        Assert.True(unknown.Count == 0, $"values keys not in {chart}'s upstream values.yaml: {string.Join(", ", unknown)}");
    }

    private static void Walk(JsonNode? ours, YamlNode? theirs, string path, string[] freeForm, List<string> unknown)
    {
        if (freeForm.Contains(path)) return;
        switch (ours)
        {
            case JsonObject o:
                if (theirs is YamlScalarNode { Value: null or "" or "~" or "null" }) return; // upstream leaves it empty: any map goes
                if (theirs is not YamlMappingNode map)
                {
                    if (theirs is null) return;
                    unknown.Add(path + " (not a map upstream)");
                    return;
                }
                if (map.Children.Count == 0) return; // `{}` upstream: a free-form map by design
                foreach (var (key, value) in o)
                {
                    var child = path.Length == 0 ? key : $"{path}.{key}";
                    if (freeForm.Contains(child)) continue;
                    if (!map.Children.TryGetValue(new YamlScalarNode(key), out var next))
                    {
                        unknown.Add(child);
                        continue;
                    }
                    Walk(value, next, child, freeForm, unknown);
                }
                break;
            case JsonArray a when theirs is YamlSequenceNode seq && seq.Children.Count > 0:
                foreach (var item in a) Walk(item, seq.Children[0], path + "[]", freeForm, unknown);
                break;
        }
    }
}
