using System.Globalization;
using k8s.Models;
using Llmctl.Components.Gpu;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Observability;

/// <summary>
/// The platform's alerting rules as one PrometheusRule labelled for the kube-prometheus-stack release: the GPU
/// contract of seed 002 (exactly one running GPU LLM pod per GPU, none pending; pods are recognised by
/// <see cref="ObservabilityLabels.GpuLlm"/>), the card's health from DCGM (Xid, VRAM, temperature, telemetry
/// missing), and serving health (model pod restarts, LiteLLM error rate, LiteLLM time to first token). Metric names are
/// those kube-state-metrics, dcgm-exporter (<see cref="DcgmCounters"/>) and LiteLLM emit (reference §5, §11.3).
/// </summary>
public sealed class PlatformAlerts : ComponentResource
{
    public const string TypeToken = "llmctl:observability:PlatformAlerts";

    public PlatformAlerts(string name, PlatformAlertsArgs? args = null, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        Args = args ?? new PlatformAlertsArgs();
        ComponentArgumentException.ThrowIfAny(this, Validate(name, Args));
        Rule = new KubernetesObject<V1PrometheusRule>(name, new V1PrometheusRule
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = Args.Namespace,
                Labels = ObservabilityLabels.For("platform-alerts", Args.PrometheusRelease),
            },
            Spec = new V1PrometheusRuleSpec { Groups = Groups(Args).ToList() },
        }, new CustomResourceOptions { Parent = this, DependsOn = RawOptions.DependsOn });
        RegisterOutputs(new Dictionary<string, object?> { ["alerts"] = Rule.Object.Spec.Groups.Sum(g => g.Rules.Count) });
    }

    public PlatformAlertsArgs Args { get; }
    public KubernetesObject<V1PrometheusRule> Rule { get; }

    public static IReadOnlyList<V1RuleGroup> Groups(PlatformAlertsArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var gpuLlm = $"kube_pod_labels{{{ObservabilityLabels.GpuLlmPromLabel}=\"{ObservabilityLabels.GpuLlmValue}\"}}";
        // kube-state-metrics writes extended resource names with '_' for '.' and '/'.
        var resource = args.Vendor.ResourceName().Replace('.', '_').Replace('/', '_');
        var gpusPerNode = $"sum by (node) (kube_node_status_allocatable{{resource=\"{resource}\"}}) > 0";
        var runningPerNode =
            $"count by (node) (count by (node, namespace, pod) (kube_pod_container_resource_requests{{resource=\"{resource}\"}} "
            + $"and on (namespace, pod) (kube_pod_status_phase{{phase=\"Running\"}} == 1) and on (namespace, pod) {gpuLlm}))";
        return
        [
            new V1RuleGroup
            {
                Name = "llmctl.gpu-llm-contract",
                Rules =
                [
                    Alert("GpuLlmPodPending",
                        $"(kube_pod_status_phase{{phase=\"Pending\"}} == 1) and on (namespace, pod) {gpuLlm}",
                        "10m", "warning",
                        "GPU LLM pod {{ $labels.namespace }}/{{ $labels.pod }} is pending",
                        "The pod has been Pending for 10 minutes. With one GPU per lane this usually means another GPU LLM pod still holds the GPU, or the lane's node selector matches no GPU node; the contract is zero pending GPU LLM pods."),
                    Alert("GpuLlmPodsNotOnePerGpu",
                        $"({runningPerNode} or on (node) (0 * ({gpusPerNode}))) != on (node) ({gpusPerNode})",
                        "15m", "warning",
                        "{{ $labels.node }} runs {{ $value }} GPU LLM pods, not one per GPU",
                        $"Exactly one running pod labelled {ObservabilityLabels.GpuLlm}={ObservabilityLabels.GpuLlmValue} per allocatable {args.Vendor.ResourceName()} is the contract: none means no model is served, more means lanes share a card."),
                ],
            },
            HealthGroup(args),
            new V1RuleGroup
            {
                Name = "llmctl.model-serving",
                Rules =
                [
                    Alert("ModelPodRestarting",
                        $"increase(kube_pod_container_status_restarts_total[15m]) > 0 and on (namespace, pod) {gpuLlm}",
                        "1m", "warning",
                        "Model pod {{ $labels.namespace }}/{{ $labels.pod }} restarted",
                        "Container {{ $labels.container }} restarted in the last 15 minutes. Out-of-memory on load, a failed startup probe (model load slower than the lane's budget) or a crashing server are the usual causes."),
                    Alert("GatewayErrorRateHigh",
                        $"sum(rate(litellm_proxy_failed_requests_metric_total[5m])) / sum(rate(litellm_proxy_total_requests_metric_total[5m])) > {Number(args.GatewayErrorRatio)}",
                        "10m", "warning",
                        "LiteLLM fails {{ $value | humanizePercentage }} of requests",
                        $"More than {Number(args.GatewayErrorRatio * 100)} % of gateway requests failed over 10 minutes. Check litellm_deployment_state and the backends' /health."),
                    Alert("TimeToFirstTokenSlow",
                        $"histogram_quantile(0.95, sum by (le, model) (rate(litellm_llm_api_time_to_first_token_metric_bucket[10m]))) > {Number(args.TtftP95.TotalSeconds)}",
                        "15m", "warning",
                        "p95 time to first token for {{ $labels.model }} is {{ $value | humanizeDuration }}",
                        $"Streaming requests through LiteLLM wait more than {Number(args.TtftP95.TotalSeconds)} s for their first token (p95 over 10 minutes): long prompts, requests queued behind busy slots (llamacpp:requests_deferred) or a model partly offloaded to the CPU."),
                ],
            },
        ];
    }

    /// <summary>
    /// The card's health from the vendor's exporter: DCGM (<see cref="DcgmCounters"/>) on NVIDIA, ROCm's
    /// device-metrics exporter on AMD (<c>gpu_used_vram</c>/<c>gpu_total_vram</c>, <c>gpu_edge_temperature</c> or
    /// <c>gpu_junction_temperature</c>, <c>gpu_gfx_activity</c>). A stack without NVIDIA nodes gets no DCGM rule:
    /// <c>absent(DCGM_FI_DEV_GPU_TEMP)</c> would fire forever there.
    /// </summary>
    public static V1RuleGroup HealthGroup(PlatformAlertsArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Vendor == GpuVendor.Amd)
        {
            return new V1RuleGroup
            {
                Name = "llmctl.gpu-health",
                Rules =
                [
                    Alert("GpuVramNearlyFull", $"gpu_used_vram / gpu_total_vram > {Number(args.VramUsedRatio)}", "15m", "warning",
                        "GPU {{ $labels.gpu_id }} on {{ $labels.hostname }} has {{ $value | humanizePercentage }} of its VRAM in use",
                        $"Used / total VRAM has been above {Number(args.VramUsedRatio * 100)} % for 15 minutes. A larger context, another model or a second process on the GPU will fail to allocate."),
                    Alert("GpuTemperatureHigh",
                        $"max by (hostname, gpu_id) (gpu_edge_temperature or gpu_junction_temperature) > {args.GpuTemperatureCelsius}",
                        "10m", "warning",
                        "GPU {{ $labels.gpu_id }} on {{ $labels.hostname }} is at {{ $value }} °C",
                        $"The GPU has been above {args.GpuTemperatureCelsius} °C for 10 minutes (edge sensor on APUs and MI2xx, junction on MI3xx); expect lower clocks and throughput."),
                    Alert("GpuTelemetryMissing", "absent(gpu_gfx_activity)", "10m", "warning",
                        "No GPU telemetry from the AMD device-metrics exporter",
                        "Prometheus has no gpu_* series: the exporter is down, not scheduled on the GPU node, or its ServiceMonitor is not selected (release label)."),
                ],
            };
        }
        return new V1RuleGroup
        {
            Name = "llmctl.gpu-health",
            Rules =
            [
                Alert("GpuXidError", "DCGM_FI_DEV_XID_ERRORS > 0", "1m", "critical",
                    "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} reported Xid {{ $value }}",
                    "DCGM reports the last Xid error the driver logged. Look the code up in NVIDIA's Xid catalogue and check the node's kernel log; many codes need the workload restarted or the node rebooted."),
                Alert("GpuVramNearlyFull",
                    $"DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE) > {Number(args.VramUsedRatio)}",
                    "15m", "warning",
                    "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} has {{ $value | humanizePercentage }} of its VRAM in use",
                    $"Framebuffer used / (used + free) has been above {Number(args.VramUsedRatio * 100)} % for 15 minutes. A larger context, another slot or a second process on the card will fail to allocate."),
                Alert("GpuTemperatureHigh", $"DCGM_FI_DEV_GPU_TEMP > {args.GpuTemperatureCelsius}", "10m", "warning",
                    "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is at {{ $value }} °C",
                    $"The GPU has been above {args.GpuTemperatureCelsius} °C for 10 minutes; expect thermal clock events (DCGM_FI_DEV_CLOCKS_EVENT_REASONS) and lower throughput."),
                Alert("GpuTelemetryMissing", "absent(DCGM_FI_DEV_GPU_TEMP)", "10m", "warning",
                    "No GPU telemetry from dcgm-exporter",
                    "Prometheus has no DCGM series: the exporter is down, not scheduled on the GPU node, or its ServiceMonitor is not selected (release label)."),
            ],
        };
    }

    private static V1Rule Alert(string name, string expr, string @for, string severity, string summary, string description) => new()
    {
        Alert = name,
        Expr = expr,
        For = @for,
        Labels = new Dictionary<string, string> { ["severity"] = severity },
        Annotations = new Dictionary<string, string> { ["summary"] = summary, ["description"] = description },
    };

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static List<ArgumentProblem> Validate(string name, PlatformAlertsArgs args)
    {
        var problems = new List<ArgumentProblem>();
        if (KubernetesNames.Dns1123LabelProblem(name) is { } n) problems.Add(new ArgumentProblem("name", n));
        if (KubernetesNames.Dns1123LabelProblem(args.Namespace) is { } ns) problems.Add(new ArgumentProblem("namespace", ns));
        if (KubernetesNames.Dns1123LabelProblem(args.PrometheusRelease) is { } rel) problems.Add(new ArgumentProblem("prometheusRelease", rel));
        if (!(args.VramUsedRatio is > 0 and < 1)) problems.Add(new ArgumentProblem("vramUsedRatio", $"{args.VramUsedRatio} is not a fraction between 0 and 1; write e.g. 0.95"));
        if (args.GpuTemperatureCelsius is < 40 or > 110) problems.Add(new ArgumentProblem("gpuTemperatureCelsius", $"{args.GpuTemperatureCelsius} °C is not a plausible alert threshold; GPUs throttle around 83–90 °C"));
        if (!(args.GatewayErrorRatio is > 0 and < 1)) problems.Add(new ArgumentProblem("gatewayErrorRatio", $"{args.GatewayErrorRatio} is not a fraction between 0 and 1; write e.g. 0.05"));
        if (args.TtftP95 <= TimeSpan.Zero) problems.Add(new ArgumentProblem("ttftP95", "must be positive, e.g. 20 seconds"));
        return problems;
    }
}
