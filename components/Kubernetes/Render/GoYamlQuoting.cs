using System.Text.RegularExpressions;

namespace Llmctl.Components.Kubernetes.Render;

/// <summary>
/// Double-quotes every string that Go's YAML reader (gopkg.in/yaml.v2 as sigs.k8s.io/yaml uses it, hence Helm and
/// the Kubernetes API server) would read as something other than a string. YAML 1.1 quoting is not enough:
/// yaml.v2 resolves a plain scalar through <c>strconv.ParseInt(s, 0, 64)</c> and, for anything shaped like a
/// decimal, <c>strconv.ParseFloat</c>, so <c>0380</c> (not octal) still becomes the number 380, and <c>1e3</c>,
/// <c>0x1F</c>, <c>0o17</c>, <c>1_000</c>, <c>2024-01-02</c> change type too.
/// </summary>
public static partial class GoYamlQuoting
{
    /// <summary>True when yaml.v2 reads <paramref name="text"/>, written plain, as a bool, null, number or timestamp.</summary>
    public static bool WouldRetype(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) return true;
        if (Special.Contains(text)) return true;
        if (!"+-.0123456789".Contains(text[0], StringComparison.Ordinal)) return false;
        var plain = text.Replace("_", "", StringComparison.Ordinal);
        if (GoInteger().IsMatch(plain)) return true;
        if (YamlFloat().IsMatch(plain)) return true;
        if (plain.StartsWith("0b", StringComparison.Ordinal) || plain.StartsWith("-0b", StringComparison.Ordinal)) return true;
        return Timestamp().IsMatch(text);
    }

    // yaml.v2 resolve table: booleans (YAML 1.1), nulls, infinities, NaN, merge key.
    private static readonly HashSet<string> Special = new(StringComparer.Ordinal)
    {
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF", "~", "null", "Null", "NULL",
        ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", "<<",
    };

    // strconv.ParseInt/ParseUint with base 0: decimal, 0x/0X hex, 0o/0O or leading-0 octal, 0b binary, optional sign.
    [GeneratedRegex(@"^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[0-9]+)$")]
    private static partial Regex GoInteger();

    // yaml.v2's yamlStyleFloat, checked before strconv.ParseFloat.
    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex YamlFloat();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")]
    private static partial Regex Timestamp();
}
