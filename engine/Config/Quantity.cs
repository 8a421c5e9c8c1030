using System.Globalization;
using System.Text.RegularExpressions;

namespace Llmctl.Engine.Config;

/// <summary>
/// A Kubernetes resource quantity (<c>24Gi</c>, <c>500m</c>, <c>8</c>, <c>1.5e3</c>). The text is kept as written so
/// rendered objects match what the user typed; <see cref="Value"/> is the amount in base units.
/// </summary>
public readonly partial record struct Quantity
{
    private static readonly Dictionary<string, decimal> Suffixes = new(StringComparer.Ordinal)
    {
        [""] = 1m,
        ["n"] = 1e-9m, ["u"] = 1e-6m, ["m"] = 1e-3m,
        ["k"] = 1e3m, ["M"] = 1e6m, ["G"] = 1e9m, ["T"] = 1e12m, ["P"] = 1e15m, ["E"] = 1e18m,
        ["Ki"] = 1024m, ["Mi"] = 1024m * 1024, ["Gi"] = 1024m * 1024 * 1024,
        ["Ti"] = 1024m * 1024 * 1024 * 1024, ["Pi"] = 1024m * 1024 * 1024 * 1024 * 1024,
        ["Ei"] = 1024m * 1024 * 1024 * 1024 * 1024 * 1024,
    };

    // Bounded, so a file of a million distinct quantities cannot grow it without end.
    private const int MaxParsed = 4096;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Quantity> Parsed = new(StringComparer.Ordinal);

    private Quantity(string text, decimal value)
    {
        Text = text;
        Value = value;
    }

    public string Text { get; }
    public decimal Value { get; }

    public static Quantity Parse(string text) =>
        TryParse(text, out var q, out var error) ? q : throw new FormatException(error);

    /// <summary>Parses, or explains what is wrong and what was probably meant (<c>24GB</c> → <c>24Gi</c>).</summary>
    public static bool TryParse(string? text, out Quantity quantity, out string error)
    {
        quantity = default;
        error = "";
        // A stack repeats a few quantities ("8Gi", "500m") on every workload; each text is parsed once per process.
        if (text is not null && Parsed.TryGetValue(text, out quantity)) return true;
        var s = text?.Trim() ?? "";
        var m = Pattern().Match(s);
        if (!m.Success)
        {
            error = $"'{s}' is not a Kubernetes quantity" + Hint(s);
            return false;
        }
        // Kubernetes keeps quantities up to 2^63-1 in their base unit (about 8Ei); beyond decimal's range is surely a typo.
        try
        {
            var number = decimal.Parse(m.Groups["num"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
            var suffix = m.Groups["suffix"].Value;
            if (m.Groups["exp"].Success)
            {
                var exp = int.Parse(m.Groups["exp"].Value, CultureInfo.InvariantCulture);
                number *= (decimal)Math.Pow(10, exp);
            }
            quantity = new Quantity(s, number * Suffixes[suffix]);
            if (Parsed.Count < MaxParsed) Parsed.TryAdd(text!, quantity);
            return true;
        }
        catch (OverflowException)
        {
            error = $"'{(s.Length > 40 ? s[..40] + "…" : s)}' is too large for a Kubernetes quantity; write a size such as 64Gi or 2Ti";
            return false;
        }
    }

    private static string Hint(string s)
    {
        var unit = UnitPattern().Match(s);
        if (!unit.Success) return "; write a number with an optional suffix such as 500m, 8, 32Gi or 24Gi";
        var n = unit.Groups["num"].Value;
        var u = unit.Groups["unit"].Value.ToUpperInvariant();
        var binary = u switch
        {
            "KB" or "K" or "KIB" => "Ki",
            "MB" or "MIB" => "Mi",
            "GB" or "G" or "GIB" => "Gi",
            "TB" or "T" or "TIB" => "Ti",
            _ => null,
        };
        return binary is null
            ? "; write a number with an optional suffix such as 500m, 8, 32Gi or 24Gi"
            : $"; did you mean '{n}{binary}'? (Kubernetes writes binary units as Ki, Mi, Gi, Ti)";
    }

    public override string ToString() => Text;

    [GeneratedRegex(@"^(?<num>[+-]?(\d+(\.\d*)?|\.\d+))((?<suffix>Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE](?<exp>[+-]?\d+))?$")]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^(?<num>[+-]?[\d.]+)\s*(?<unit>[A-Za-z]+)$")]
    private static partial Regex UnitPattern();
}
