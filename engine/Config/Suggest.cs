namespace Llmctl.Engine.Config;

/// <summary>"did you mean …?" for misspelt keys and values (case-insensitive edit distance).</summary>
public static class Suggest
{
    public static string? Closest(string input, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(input);
        var lower = input.ToLowerInvariant();
        var list = candidates.ToList();
        // An abbreviation (distro → distribution) is a better hint than any edit distance.
        var needed = Math.Max(4, (lower.Length * 2 + 2) / 3);
        if (lower.Length >= 4 && list.Where(c => CommonPrefix(lower, c.ToLowerInvariant()) >= needed).ToList() is [var only]) return only;
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var c in list)
        {
            var d = Distance(lower, c.ToLowerInvariant());
            if (d < bestDistance)
            {
                best = c;
                bestDistance = d;
            }
        }
        var limit = Math.Max(2, input.Length / 3);
        return best is not null && bestDistance <= limit ? best : null;
    }

    public static string? DidYouMean(string input, IEnumerable<string> candidates) =>
        Closest(input, candidates) is { } c ? $"did you mean '{c}'?" : null;

    private static int CommonPrefix(string a, string b)
    {
        var n = 0;
        while (n < a.Length && n < b.Length && a[n] == b[n]) n++;
        return n;
    }

    private static int Distance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
