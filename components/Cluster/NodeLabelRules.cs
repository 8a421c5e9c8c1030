using System.Text.RegularExpressions;

namespace Llmctl.Components.Cluster;

/// <summary>Kubernetes' rules for label (and taint) keys and values, checked before they go on a k3s command line.</summary>
internal static partial class NodeLabelRules
{
    public static string? KeyProblem(string key)
    {
        var slash = key.LastIndexOf('/');
        var prefix = slash < 0 ? null : key[..slash];
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (prefix is not null && (prefix.Length > 253 || !Subdomain().IsMatch(prefix)))
        {
            return $"'{key}' has a prefix that is not a DNS subdomain (lowercase letters, digits, '-' and '.')";
        }
        return name.Length is > 0 and <= 63 && Name().IsMatch(name)
            ? null
            : $"'{key}' is not a label key: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit, after an optional 'prefix/'";
    }

    public static string? ValueProblem(string value) =>
        value.Length == 0 || (value.Length <= 63 && Name().IsMatch(value))
            ? null
            : $"'{value}' is not a label value: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit";

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex Name();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();
}
