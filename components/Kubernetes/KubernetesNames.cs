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

    [GeneratedRegex("[^a-z0-9-]+")]
    private static partial Regex Invalid();
}
