using System.Text.Json.Nodes;
using Llmctl.Components.Gpu;
using Llmctl.Components.Helm;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Observability;

/// <summary>
/// AMD's Device Metrics Exporter (reference §3.2) for AMD GPU nodes, through AMD's own chart rather than a
/// hand-written DaemonSet: the chart carries what the exporter needs from the node (the kubelet pod-resources
/// socket for pod attribution, its init container, its config mount) and ships a ServiceMonitor that only needs the
/// release label (<c>serviceMonitor.labels</c>). It emits <c>gpu_gfx_activity</c>, <c>gpu_used_vram</c>,
/// <c>gpu_edge_temperature</c>/<c>gpu_junction_temperature</c>, … on port 5000. AMD documents it for Instinct
/// MI2xx/MI3xx (ROCm ≥ 6.2) and Radeon AI cards; consumer RDNA cards are not documented as supported, so add it
/// only where the stack has such nodes.
/// </summary>
public sealed class AmdMetricsExporter : ComponentResource
{
    public const string TypeToken = "llmctl:observability:AmdMetricsExporter";
    public const string Chart = "device-metrics-exporter-charts";
    public const string Repo = "https://rocm.github.io/device-metrics-exporter";
    /// <summary>Pinned chart version (reference §3.2 and §13.8: device-metrics-exporter-charts v1.5.2).</summary>
    public const string Version = "v1.5.2";
    /// <summary>The pinned chart (its digest is in charts.lock.yaml).</summary>
    public static readonly ChartRef PinnedChart = new(Chart, Repo, Version);
    public const int MetricsPort = 5000;

    public AmdMetricsExporter(string name, AmdMetricsExporterArgs? args = null, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        Args = args ?? new AmdMetricsExporterArgs();
        ComponentArgumentException.ThrowIfAny(this, Validate(Args));
        Release = new HelmRelease(name, new HelmReleaseArgs
        {
            Chart = Chart,
            Repo = Repo,
            Version = Version,
            TargetNamespace = Args.Namespace,
            Values = Values(Args),
        }, new ComponentResourceOptions { Parent = this, DependsOn = RawOptions.DependsOn });
        RegisterOutputs(new Dictionary<string, object?> { ["namespace"] = Args.Namespace });
    }

    public AmdMetricsExporterArgs Args { get; }
    public HelmRelease Release { get; }

    public static JsonObject Values(AmdMetricsExporterArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var values = new JsonObject
        {
            ["platform"] = "k8s",
            ["nodeSelector"] = new JsonObject(args.NodeSelector.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
            ["tolerations"] = new JsonArray(new JsonObject
            {
                ["key"] = GpuLabels.DedicatedTaintKey,
                ["operator"] = "Equal",
                ["value"] = GpuLabels.DedicatedTaintValue,
                ["effect"] = GpuLabels.DedicatedTaintEffect,
            }),
            ["service"] = new JsonObject
            {
                ["type"] = "ClusterIP",
                ["ClusterIP"] = new JsonObject { ["port"] = MetricsPort },
            },
            ["serviceMonitor"] = new JsonObject
            {
                ["enabled"] = true,
                ["interval"] = args.ScrapeInterval,
                ["labels"] = new JsonObject { [ObservabilityLabels.Release] = args.PrometheusRelease },
            },
        };
        if (args.ConfigMap is { } cm) values["configMap"] = cm;
        return values;
    }

    private static List<ArgumentProblem> Validate(AmdMetricsExporterArgs args)
    {
        var problems = new List<ArgumentProblem>();
        if (KubernetesNames.Dns1123LabelProblem(args.Namespace) is { } ns) problems.Add(new ArgumentProblem("namespace", ns));
        if (KubernetesNames.Dns1123LabelProblem(args.PrometheusRelease) is { } rel) problems.Add(new ArgumentProblem("prometheusRelease", rel));
        if (args.NodeSelector.Count == 0)
        {
            problems.Add(new ArgumentProblem("nodeSelector", "select the AMD GPU nodes, e.g. workload.ai/gpu-vendor=amd"));
        }
        if (!ObservabilityLabels.IsPrometheusDuration(args.ScrapeInterval))
        {
            problems.Add(new ArgumentProblem("scrapeInterval", $"'{args.ScrapeInterval}' is not a Prometheus duration; write e.g. '30s'"));
        }
        if (args.ConfigMap is { } c && KubernetesNames.Dns1123LabelProblem(c) is { } cp) problems.Add(new ArgumentProblem("configMap", cp));
        return problems;
    }
}
