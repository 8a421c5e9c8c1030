using System.Text.RegularExpressions;

namespace Llmctl.Components.Observability;

/// <summary>
/// Labels the observability components agree on with the rest of the platform.
/// </summary>
public static partial class ObservabilityLabels
{
    /// <summary>
    /// The pod label that marks a GPU LLM serving pod (a model lane), value <see cref="GpuLlmValue"/>. The platform
    /// alerts count pods with this label for the "exactly one running GPU LLM pod per GPU, none pending" invariant
    /// (seed 002); lanes put it on their pod template. kube-state-metrics only exports it because
    /// <see cref="KubePrometheusStack"/> allow-lists it; in PromQL it is <see cref="GpuLlmPromLabel"/>.
    /// </summary>
    public const string GpuLlm = "workload.ai/gpu-llm";
    public const string GpuLlmValue = "true";
    /// <summary><see cref="GpuLlm"/> as kube-state-metrics writes it on <c>kube_pod_labels</c>.</summary>
    public const string GpuLlmPromLabel = "label_workload_ai_gpu_llm";

    /// <summary>
    /// The label kube-prometheus-stack's Prometheus selects ServiceMonitors and PrometheusRules by. The chart keeps
    /// <c>*SelectorNilUsesHelmValues: true</c> (set explicitly by <see cref="KubePrometheusStack"/>), so its Prometheus
    /// selects exactly the objects labelled <c>release: &lt;helm release name&gt;</c>; every monitor and rule llmctl
    /// makes carries it.
    /// </summary>
    public const string Release = "release";

    /// <summary>The Grafana sidecar picks up ConfigMaps with <c>grafana_dashboard: "1"</c> in any namespace.</summary>
    public const string GrafanaDashboard = "grafana_dashboard";
    public const string GrafanaDashboardValue = "1";

    internal static Dictionary<string, string> For(string component, string release) => new()
    {
        ["app.kubernetes.io/name"] = component,
        ["app.kubernetes.io/managed-by"] = "llmctl",
        [Release] = release,
    };

    /// <summary>A Prometheus duration such as <c>30s</c>, <c>5m</c>, <c>15d</c>, <c>1h30m</c>.</summary>
    internal static bool IsPrometheusDuration(string? text) => text is { Length: > 0 } && Duration().IsMatch(text) && text != "0";

    /// <summary>A TimeSpan as the shortest Prometheus duration (<c>90s</c> → <c>1m30s</c>).</summary>
    internal static string PrometheusDuration(TimeSpan span)
    {
        if (span <= TimeSpan.Zero) return "0s";
        var text = "";
        if (span.Days > 0) text += $"{span.Days}d";
        if (span.Hours > 0) text += $"{span.Hours}h";
        if (span.Minutes > 0) text += $"{span.Minutes}m";
        if (span.Seconds > 0) text += $"{span.Seconds}s";
        if (span.Milliseconds > 0) text += $"{span.Milliseconds}ms";
        return text;
    }

    [GeneratedRegex(@"^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$")]
    private static partial Regex Duration();
}
