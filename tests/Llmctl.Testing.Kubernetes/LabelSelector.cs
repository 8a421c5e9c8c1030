using System.Text.Json.Nodes;

namespace Llmctl.Testing.Kubernetes;

/// <summary>
/// A <c>labelSelector</c> query as the API server reads it: requirements joined by commas, each equality-based
/// (<c>k=v</c>, <c>k==v</c>, <c>k!=v</c>), set-based (<c>k in (a,b)</c>, <c>k notin (a,b)</c>) or existence
/// (<c>k</c>, <c>!k</c>). <c>!=</c> and <c>notin</c> also match objects without the label, as upstream.
/// </summary>
internal sealed class LabelSelector
{
    private readonly List<Func<JsonObject?, bool>> _requirements = [];

    private LabelSelector()
    {
    }

    public static LabelSelector? Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var selector = new LabelSelector();
        foreach (var part in SplitTopLevel(text))
        {
            selector._requirements.Add(Requirement(part.Trim(), text));
        }
        return selector;
    }

    public bool Matches(JsonObject obj)
    {
        var labels = obj["metadata"]?["labels"] as JsonObject;
        return _requirements.All(r => r(labels));
    }

    private static Func<JsonObject?, bool> Requirement(string part, string whole)
    {
        if (part.Length == 0) throw Invalid(whole, "empty requirement");
        string? Label(JsonObject? labels, string key) => labels?[key]?.GetValue<string>();

        var inAt = part.IndexOf(" notin ", StringComparison.Ordinal) is var n and >= 0 ? (n, true) : (part.IndexOf(" in ", StringComparison.Ordinal), false);
        if (inAt.Item1 >= 0)
        {
            var key = part[..inAt.Item1].Trim();
            var rest = part[(inAt.Item1 + (inAt.Item2 ? 7 : 4))..].Trim();
            if (!rest.StartsWith('(') || !rest.EndsWith(')')) throw Invalid(whole, $"'{part}' needs a parenthesised value list");
            var values = rest[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            CheckKey(key, whole);
            return inAt.Item2
                ? labels => Label(labels, key) is not { } v || !values.Contains(v)
                : labels => Label(labels, key) is { } v && values.Contains(v);
        }
        if (part.IndexOf("!=", StringComparison.Ordinal) is var ne and > 0)
        {
            var (key, value) = (part[..ne].Trim(), part[(ne + 2)..].Trim());
            CheckKey(key, whole);
            return labels => Label(labels, key) != value;
        }
        if (part.IndexOf('=', StringComparison.Ordinal) is var eq and > 0)
        {
            var key = part[..eq].Trim();
            var value = part[(eq + (part.AsSpan(eq).StartsWith("==") ? 2 : 1))..].Trim();
            CheckKey(key, whole);
            return labels => Label(labels, key) == value;
        }
        if (part.StartsWith('!'))
        {
            var key = part[1..].Trim();
            CheckKey(key, whole);
            return labels => labels?.ContainsKey(key) != true;
        }
        CheckKey(part, whole);
        return labels => labels?.ContainsKey(part) == true;
    }

    private static void CheckKey(string key, string whole)
    {
        if (key.Length == 0 || key.Any(c => char.IsWhiteSpace(c) || c is '(' or ')' or ',' or '!' or '='))
        {
            throw Invalid(whole, $"'{key}' is not a valid label key");
        }
    }

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '(') depth++;
            else if (text[i] == ')') depth--;
            else if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        yield return text[start..];
    }

    private static ApiError Invalid(string selector, string why) =>
        new(400, "BadRequest", $"unable to parse requirement: {why} (labelSelector \"{selector}\")");
}
