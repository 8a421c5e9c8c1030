using System.Text.RegularExpressions;

namespace Llmctl.Components.Kubernetes;

/// <summary>
/// Kubernetes name rules, each checked with a message that names the rule broken and suggests a name that passes.
/// DNS-1123 labels name namespaces and most objects; Services need the stricter RFC 1035 label (a letter first).
/// </summary>
public static partial class KubernetesNames
{
    public const int MaxLabelLength = 63;

    public static bool IsDns1123Label(string? value) =>
        value is { Length: > 0 and <= MaxLabelLength } && Dns1123Label().IsMatch(value);

    public static bool IsDns1035Label(string? value) =>
        value is { Length: > 0 and <= MaxLabelLength } && Dns1035Label().IsMatch(value);

    /// <summary>Null when <paramref name="value"/> is a DNS-1123 label, else what is wrong and what to write.</summary>
    public static string? Dns1123LabelProblem(string? value) => IsDns1123Label(value)
        ? null
        : $"'{value}' is not a valid DNS-1123 label: use at most {MaxLabelLength} lowercase letters, digits and '-', "
          + $"starting and ending with a letter or digit{Suggest(value)}";

    /// <summary>Null when <paramref name="value"/> is an RFC 1035 label (what a Service name must be), else why not.</summary>
    public static string? Dns1035LabelProblem(string? value) => IsDns1035Label(value)
        ? null
        : $"'{value}' is not a valid RFC 1035 label (the rule for Service names): use at most {MaxLabelLength} "
          + $"lowercase letters, digits and '-', starting with a letter and ending with a letter or digit{Suggest(value)}";

    /// <summary>
    /// Null when <paramref name="key"/> is a valid label key (a qualified name: an optional DNS-1123 subdomain prefix of
    /// at most 253 characters and '/', then a name of at most 63), else the rule it breaks.
    /// </summary>
    public static string? LabelKeyProblem(string? key)
    {
        if (string.IsNullOrEmpty(key)) return "a label key cannot be empty";
        var slash = key.LastIndexOf('/');
        var (prefix, name) = slash < 0 ? (null, key) : (key[..slash], key[(slash + 1)..]);
        if (prefix is not null && (prefix.Length is 0 or > 253 || !prefix.Split('.').All(IsDns1123Label)))
        {
            return $"'{key}' is not a valid label key: its prefix '{prefix}' must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', at most 253)";
        }
        return name.Length is > 0 and <= MaxLabelLength && QualifiedName().IsMatch(name)
            ? null
            : $"'{key}' is not a valid label key: the name after the prefix must be at most {MaxLabelLength} letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
    }

    /// <summary>Null when <paramref name="value"/> is a valid label value (empty, or at most 63 characters of the qualified-name set), else the rule it breaks.</summary>
    public static string? LabelValueProblem(string? value) =>
        value is not null && value.Length <= MaxLabelLength && (value.Length == 0 || QualifiedName().IsMatch(value))
            ? null
            : $"'{value}' is not a valid label value: at most {MaxLabelLength} letters, digits, '-', '_' or '.', starting and ending with a letter or digit";

    private static string Suggest(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return "";
        var s = Invalid().Replace(value.ToLowerInvariant(), "-").Trim('-');
        s = s.TrimStart("0123456789-".ToCharArray());
        if (s.Length > MaxLabelLength) s = s[..MaxLabelLength].TrimEnd('-');
        return s.Length > 0 && s != value ? $", e.g. '{s}'" : "";
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035Label();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex QualifiedName();

    [GeneratedRegex("[^a-z0-9-]+")]
    private static partial Regex Invalid();
}
