using System.Text;

namespace Llmctl.Engine.Config;

/// <summary>
/// Pulumi's property path for <c>config set --path</c>: <c>a.b[0].c</c>, <c>["key.with.dots"]</c>. Segments are
/// strings (keys) or ints (list indexes); the first one is the config key and may hold a namespace (<c>ns:key</c>).
/// </summary>
public sealed record PropertyPath(IReadOnlyList<object> Segments)
{
    public static PropertyPath Parse(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        var segments = new List<object>();
        var current = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '.')
            {
                Flush();
                i++;
            }
            else if (c == '[')
            {
                Flush();
                var close = text.IndexOf(']', i);
                if (close < 0) throw new FormatException($"missing ']' in path '{text}'");
                var inner = text[(i + 1)..close];
                if (inner.Length >= 2 && inner[0] == '"' && inner[^1] == '"')
                {
                    // A quoted key may itself contain ']' only when escaped; Pulumi's paths rarely need that.
                    segments.Add(inner[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal));
                }
                else if (int.TryParse(inner, out var index) && index >= 0) segments.Add(index);
                else if (inner == "*") segments.Add("*");
                else throw new FormatException($"'[{inner}]' in path '{text}' is neither an index nor a quoted key");
                i = close + 1;
            }
            else
            {
                current.Append(c);
                i++;
            }
        }
        Flush();
        if (segments.Count == 0 || segments[0] is not string) throw new FormatException($"path '{text}' must start with a key");
        return new PropertyPath(segments);

        void Flush()
        {
            if (current.Length > 0) segments.Add(current.ToString());
            current.Clear();
        }
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var s in Segments)
        {
            if (s is int i) sb.Append('[').Append(i).Append(']');
            else if (s is string k && (k.Length == 0 || !k.All(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '$' or ':')))
            {
                sb.Append(k == "*" ? "[*]" : $"[\"{k.Replace("\"", "\\\"", StringComparison.Ordinal)}\"]");
            }
            else
            {
                if (sb.Length > 0) sb.Append('.');
                sb.Append(s);
            }
        }
        return sb.ToString();
    }
}
