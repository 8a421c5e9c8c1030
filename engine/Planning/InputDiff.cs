using System.Text.Json.Nodes;
using Llmctl.Engine.Model;

namespace Llmctl.Engine.Planning;

/// <summary>The engine's generic property diff, used when a provider offers none.</summary>
public static class InputDiff
{
    /// <summary>Every path at which <paramref name="newer"/> differs from <paramref name="older"/>, deepest first found.</summary>
    public static List<PropertyDiff> Compute(JsonObject older, JsonObject newer)
    {
        var diffs = new List<PropertyDiff>();
        Walk(older, newer, [], diffs);
        return diffs;
    }

    private static void Walk(JsonNode? older, JsonNode? newer, List<object> path, List<PropertyDiff> diffs)
    {
        // A change of secretness alone is a change; otherwise compare what is inside.
        var secret = PropertyValues.IsSecret(older);
        if (secret != PropertyValues.IsSecret(newer))
        {
            diffs.Add(new PropertyDiff(PropertyPaths.Format(path), DiffKind.Update));
            return;
        }
        if (secret)
        {
            older = ((JsonObject)older!)["value"];
            newer = ((JsonObject)newer!)["value"];
        }
        if (PropertyValues.IsUnknown(newer) || PropertyValues.IsOutputPlaceholder(newer))
        {
            diffs.Add(new PropertyDiff(PropertyPaths.Format(path), DiffKind.Update));
            return;
        }
        switch (older, newer)
        {
            case (JsonObject o, JsonObject n):
                foreach (var (key, value) in n)
                {
                    path.Add(key);
                    if (!o.TryGetPropertyValue(key, out var ov)) diffs.Add(new PropertyDiff(PropertyPaths.Format(path), DiffKind.Add));
                    else Walk(ov, value, path, diffs);
                    path.RemoveAt(path.Count - 1);
                }
                foreach (var (key, _) in o)
                {
                    if (n.ContainsKey(key)) continue;
                    path.Add(key);
                    diffs.Add(new PropertyDiff(PropertyPaths.Format(path), DiffKind.Delete));
                    path.RemoveAt(path.Count - 1);
                }
                break;
            case (JsonArray o, JsonArray n):
                for (var i = 0; i < Math.Max(o.Count, n.Count); i++)
                {
                    path.Add(i);
                    if (i >= o.Count) diffs.Add(new PropertyDiff(PropertyPaths.Format(path), DiffKind.Add));
                    else if (i >= n.Count) diffs.Add(new PropertyDiff(PropertyPaths.Format(path), DiffKind.Delete));
                    else Walk(o[i], n[i], path, diffs);
                    path.RemoveAt(path.Count - 1);
                }
                break;
            default:
                if (!JsonNode.DeepEquals(older, newer))
                {
                    var kind = older is null ? DiffKind.Add : newer is null ? DiffKind.Delete : DiffKind.Update;
                    diffs.Add(new PropertyDiff(PropertyPaths.Format(path), kind));
                }
                break;
        }
    }

    /// <summary>Marks the diffs that <c>replaceOnChanges</c> turns into replacements.</summary>
    public static List<PropertyDiff> MarkReplacements(IEnumerable<PropertyDiff> diffs, IEnumerable<string> replaceOnChanges)
    {
        var patterns = replaceOnChanges.Select(PropertyPaths.Parse).ToList();
        return diffs.Select(d =>
        {
            var path = PropertyPaths.Parse(d.Path);
            if (d.Kind.IsReplace() || !patterns.Any(p => PropertyPaths.IsAtOrUnder(path, p))) return d;
            return d with
            {
                Kind = d.Kind switch
                {
                    DiffKind.Add => DiffKind.AddReplace,
                    DiffKind.Delete => DiffKind.DeleteReplace,
                    _ => DiffKind.UpdateReplace,
                },
            };
        }).ToList();
    }

    /// <summary>The top-level key of a property path (<c>spec</c> for <c>spec.replicas</c>).</summary>
    public static string TopLevelKey(string path)
    {
        var segments = PropertyPaths.Parse(path);
        return segments.Count == 0 ? path : segments[0].ToString()!;
    }
}
