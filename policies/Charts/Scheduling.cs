using System.Globalization;
using k8s.Models;
using Llmctl.Components.Cluster;

namespace Llmctl.Policies.Charts;

/// <summary>The scheduler's node-selection rules that can be decided from declared labels and taints.</summary>
public static class Scheduling
{
    /// <summary>Label keys every node carries whatever the stack says (the kubelet's own).</summary>
    public static readonly IReadOnlySet<string> KubeletKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "kubernetes.io/hostname", "kubernetes.io/os", "kubernetes.io/arch", "beta.kubernetes.io/os", "beta.kubernetes.io/arch",
    };

    /// <summary>True when <paramref name="node"/> satisfies the pod's <c>nodeSelector</c> and required node affinity.</summary>
    public static bool Selects(V1PodSpec spec, DeclaredNode node)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(node);
        foreach (var (key, value) in spec.NodeSelector ?? new Dictionary<string, string>())
        {
            if (node.KeysWithUnknownValues.Contains(key)) continue;
            if (!node.Labels.TryGetValue(key, out var actual) || actual != value) return false;
        }
        var terms = spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms;
        if (terms is null || terms.Count == 0) return true;
        // Terms are ORed; the expressions of a term are ANDed.
        return terms.Any(term =>
            (term.MatchExpressions ?? []).All(e => Matches(e, node))
            && (term.MatchFields ?? []).All(f => f.Key != "metadata.name" || Op(f.OperatorProperty, f.Values, node.Name)));
    }

    /// <summary>Label keys the pod's selector and required affinity name.</summary>
    public static IEnumerable<string> SelectorKeys(V1PodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        foreach (var key in (spec.NodeSelector ?? new Dictionary<string, string>()).Keys) yield return key;
        foreach (var term in spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms ?? [])
        {
            foreach (var e in term.MatchExpressions ?? []) yield return e.Key;
        }
    }

    /// <summary>True when some toleration of <paramref name="tolerations"/> tolerates <paramref name="taint"/>.</summary>
    public static bool Tolerates(IEnumerable<V1Toleration>? tolerations, V1Taint taint)
    {
        ArgumentNullException.ThrowIfNull(taint);
        return (tolerations ?? []).Any(t =>
            (string.IsNullOrEmpty(t.Effect) || t.Effect == taint.Effect)
            && (t.OperatorProperty == "Exists"
                ? string.IsNullOrEmpty(t.Key) || t.Key == taint.Key
                : t.Key == taint.Key && (t.Value ?? "") == (taint.Value ?? "")));
    }

    /// <summary>The hard taints of <paramref name="node"/> the pod does not tolerate.</summary>
    public static IReadOnlyList<V1Taint> Untolerated(V1PodSpec spec, DeclaredNode node) =>
        node.HardTaints.Where(t => !Tolerates(spec.Tolerations, t)).ToList();

    public static string Describe(V1Taint t) => $"{t.Key}{(string.IsNullOrEmpty(t.Value) ? "" : "=" + t.Value)}:{t.Effect}";

    private static bool Matches(V1NodeSelectorRequirement e, DeclaredNode node)
    {
        if (node.KeysWithUnknownValues.Contains(e.Key)) return e.OperatorProperty != "DoesNotExist";
        node.Labels.TryGetValue(e.Key, out var value);
        return Op(e.OperatorProperty, e.Values, value);
    }

    private static bool Op(string op, IList<string>? values, string? value) => op switch
    {
        "In" => value is not null && (values ?? []).Contains(value),
        "NotIn" => value is null || !(values ?? []).Contains(value),
        "Exists" => value is not null,
        "DoesNotExist" => value is null,
        "Gt" => value is not null && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var a)
            && long.TryParse(values?.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var b) && a > b,
        "Lt" => value is not null && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var c)
            && long.TryParse(values?.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var d) && c < d,
        _ => false,
    };
}
