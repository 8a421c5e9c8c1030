using k8s.Models;
using Llmctl.Components.Cluster;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;

namespace Llmctl.Policies.Charts;

/// <summary>
/// Every workload a chart makes (llmctl's own are checked by <c>gpu-contract</c>), and the <c>helm-install-&lt;release&gt;</c> Job k3s runs
/// for each HelmChart — can be placed: its node selector and required node affinity match at least one declared node
/// (declared labels plus those NFD, GFD and the AMD labeller publish), and it tolerates that node's NoSchedule and
/// NoExecute taints. A DaemonSet that targets nodes must tolerate every matching node's taints. Where the stack does
/// not declare the whole cluster (no k3s section), a workload that selects only kubelet labels may run on a node the
/// stack does not know, and passes.
/// </summary>
public sealed class WorkloadsSchedulable : IStackPolicy
{
    public const string PolicyName = "workloads-schedulable";

    public string Name => PolicyName;
    public string Description => "Every workload, chart-made ones and k3s's helm-install Jobs included, fits some declared node's labels and taints.";
    public EnforcementLevel DefaultEnforcement => EnforcementLevel.Mandatory;

    public IEnumerable<PolicyFinding> Validate(StackContext stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var nodes = DeclaredNodes.From(stack);
        if (nodes.Nodes.Count == 0) yield break; // nothing declared: nothing to place against
        // llmctl's own workloads are gpu-contract's; this policy places what charts and helm-controller run.
        var workloads = StackObjects.Of(stack).FromCharts.Where(o => o.PodSpec is not null)
            .Select(o => (Describe: o.Describe(), o.Kind, Spec: o.PodSpec!, o.Owner.Urn))
            .Concat(HelmInstallJobs(stack));
        foreach (var (describe, kind, spec, urn) in workloads)
        {
            if (Check(describe, kind, spec, nodes) is { } message) yield return (message, urn);
        }
    }

    /// <summary>
    /// The Job helm-controller creates per HelmChart (k3s-io/helm-controller <c>pkg/controllers/chart/chart.go</c>):
    /// node selector <c>kubernetes.io/os: linux</c> and no tolerations (those come only with <c>spec.bootstrap</c>, which
    /// also pins the Job to a control-plane node with host networking, or from the controller-wide
    /// <c>--job-tolerations</c> flag, v0.17.3 and later, which a stack cannot set). The chart's own pods do tolerate the GPU
    /// taint where it covers every node (<c>DeclaredNodes.SystemTolerations</c>), so this Job is what is left.
    /// </summary>
    public static IEnumerable<(string Describe, string Kind, V1PodSpec Spec, Urn Urn)> HelmInstallJobs(StackContext stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        foreach (var chart in stack.Resources.OfType<CustomResource>().Where(r => r.Type == "kubernetes:helm.cattle.io/v1:HelmChart"))
        {
            if (chart.Inputs["spec"]?["bootstrap"] is System.Text.Json.Nodes.JsonValue b && b.TryGetValue<bool>(out var bootstrap) && bootstrap) continue;
            var name = ClusterObject.TextOf(chart.Inputs["metadata"]?["name"]) ?? chart.Urn.Name;
            yield return ($"Job helm-install-{name} (k3s's helm-controller installs release '{name}' with it)", "Job",
                new V1PodSpec { NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" }, Containers = [] }, chart.Urn);
        }
    }

    /// <summary>Null when the workload can be placed, else what is wrong and what to change.</summary>
    public static string? Check(string describe, string kind, V1PodSpec spec, DeclaredNodes nodes)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(nodes);
        var matching = nodes.Nodes.Where(n => Scheduling.Selects(spec, n)).ToList();
        var targetsNodes = Scheduling.SelectorKeys(spec).Any(k => !Scheduling.KubeletKeys.Contains(k));
        if (matching.Count == 0)
        {
            if (!nodes.Complete && !targetsNodes) return null;
            if (kind == "DaemonSet" && WaitsForFeature(spec, nodes)) return null;
            return $"{describe} selects no declared node: its node selector/affinity ({Selector(spec)}) matches none of {string.Join(", ", nodes.Nodes.Select(n => n.Name))}. "
                + "Give the node the label (gpuNodes[].labels) or change the selector through the chart's values.";
        }
        if (kind == "DaemonSet" && targetsNodes)
        {
            var blocked = matching.Select(n => (n, Scheduling.Untolerated(spec, n))).Where(x => x.Item2.Count > 0).ToList();
            if (blocked.Count > 0)
            {
                return $"{describe} must run on {string.Join(", ", blocked.Select(b => b.n.Name))} but does not tolerate "
                    + string.Join("; ", blocked.Select(b => $"{b.n.Name}: {string.Join(", ", b.Item2.Select(Scheduling.Describe))}"))
                    + ". Add the toleration through the chart's values, or change the node's taint (gpuNodes[].taint).";
            }
            return null;
        }
        if (matching.Any(n => Scheduling.Untolerated(spec, n).Count == 0)) return null;
        if (!nodes.Complete && !targetsNodes) return null;
        return $"{describe} can run on no declared node: "
            + string.Join("; ", matching.Select(n => $"{n.Name} has {string.Join(", ", Scheduling.Untolerated(spec, n).Select(Scheduling.Describe))}"))
            + (kind == "Job" && describe.Contains("helm-install", StringComparison.Ordinal)
                ? ". helm-controller gives its install Jobs no toleration a HelmChart can set (a standalone helm-controller of v0.17.3 or later has a controller-wide --job-tolerations flag; llmctl sets none): leave at least one node without a NoSchedule taint (gpuNodes[].taint: none or prefer)."
                : ". Tolerate the taint through the chart's values, or leave a node untainted (gpuNodes[].taint: none or prefer).");
    }

    /// <summary>True when the DaemonSet would match a node but for a feature flag that is off there (MPS, MIG).</summary>
    private static bool WaitsForFeature(V1PodSpec spec, DeclaredNodes nodes)
    {
        var flags = nodes.Nodes.SelectMany(n => n.FeatureFlags).ToHashSet(StringComparer.Ordinal);
        if (spec.NodeSelector is null || !spec.NodeSelector.Keys.Any(flags.Contains)) return false;
        var relaxed = new V1PodSpec
        {
            NodeSelector = spec.NodeSelector.Where(kv => !flags.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value),
            Affinity = spec.Affinity,
            Containers = [],
        };
        return nodes.Nodes.Any(n => Scheduling.Selects(relaxed, n));
    }

    private static string Selector(V1PodSpec spec)
    {
        var parts = (spec.NodeSelector ?? new Dictionary<string, string>()).Select(kv => $"{kv.Key}={kv.Value}").ToList();
        foreach (var term in spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms ?? [])
        {
            parts.Add("(" + string.Join(" and ", (term.MatchExpressions ?? []).Select(e => $"{e.Key} {e.OperatorProperty} [{string.Join(",", e.Values ?? [])}]")) + ")");
        }
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }
}
