using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Infra.Switching;

/// <summary>
/// Edits the <c>active:</c> flags of lanes in a stack file's text in place — only those scalars change, so comments,
/// order, quoting and blank lines stay exactly as written. A lane without an <c>active:</c> key gets one on the line
/// after its <c>name:</c> when it must become active (absent means parked).
/// </summary>
public static class LaneSwitchEditor
{
    public static string Edit(string text, string project, IReadOnlyDictionary<string, bool> active)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(active);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(text));
        var items = (yaml.Documents[0].RootNode as YamlMappingNode)?["config"] is YamlMappingNode config
            && config.Children.TryGetValue(new YamlScalarNode($"{project}:lanes"), out var lanes) && lanes is YamlMappingNode lanesMap
            && lanesMap.Children.TryGetValue(new YamlScalarNode("items"), out var list) && list is YamlSequenceNode seq
            ? seq.Children.OfType<YamlMappingNode>().ToList()
            : throw new InvalidOperationException($"the stack file has no {project}:lanes.items list");

        // Edits from the end of the text backwards, so earlier offsets stay valid.
        var edits = new List<(long Start, long End, string Text)>();
        foreach (var item in items)
        {
            if (item.Children.TryGetValue(new YamlScalarNode("name"), out var nameNode) is false || nameNode is not YamlScalarNode { Value: { } name }) continue;
            if (!active.TryGetValue(name, out var want)) continue;
            if (item.Style == MappingStyle.Flow) throw new InvalidOperationException($"lane '{name}' is written as a flow mapping ({{...}}); write it as a block mapping to let switch edit it");
            if (item.Children.TryGetValue(new YamlScalarNode("active"), out var activeNode) && activeNode is YamlScalarNode scalar)
            {
                var current = scalar.Value is "true" or "True" or "TRUE";
                if (current != want) edits.Add((scalar.Start.Index, scalar.End.Index, want ? "true" : "false"));
            }
            else if (want)
            {
                var key = item.Children.Keys.First(k => k is YamlScalarNode { Value: "name" });
                var lineEnd = text.IndexOf('\n', (int)nameNode.End.Index);
                var at = lineEnd < 0 ? text.Length : lineEnd + 1;
                var prefix = lineEnd < 0 ? "\n" : "";
                edits.Add((at, at, $"{prefix}{new string(' ', (int)key.Start.Column - 1)}active: true\n"));
            }
        }
        foreach (var (start, end, replacement) in edits.OrderByDescending(e => e.Start))
        {
            text = string.Concat(text.AsSpan(0, (int)start), replacement, text.AsSpan((int)end));
        }
        return text;
    }
}
