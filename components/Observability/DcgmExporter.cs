using System.Text.Json.Nodes;
using k8s.Models;
using Llmctl.Components.Gpu;
using Llmctl.Components.Helm;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Observability;

/// <summary>
/// NVIDIA's dcgm-exporter chart, pinned, as a DaemonSet on the NVIDIA GPU nodes (<c>runtimeClassName: nvidia</c>,
/// the GPU node selector, the GPU taint tolerated) with the chart's ServiceMonitor labelled for the
/// kube-prometheus-stack release. The counters come from llmctl's own ConfigMap (<see cref="DcgmCounters"/>: the
/// chart's defaults plus throttle reasons, throttle durations and PCIe link state) mounted through the chart's
/// <c>extraConfigMapVolumes</c>/<c>extraVolumeMounts</c> and passed with <c>-f</c>.
/// </summary>
public sealed class DcgmExporter : ComponentResource
{
    public const string TypeToken = "llmctl:observability:DcgmExporter";
    public const string Chart = "dcgm-exporter";
    public const string Repo = "https://nvidia.github.io/dcgm-exporter/helm-charts";
    /// <summary>Pinned chart version (upstream/SOURCES.md: chart and app 4.8.2, image 4.5.3-4.8.2-distroless).</summary>
    public const string Version = "4.8.2";
    /// <summary>The pinned chart (its digest is in charts.lock.yaml).</summary>
    public static readonly ChartRef PinnedChart = new(Chart, Repo, Version);
    public const string CountersKey = "counters.csv";
    /// <summary>Where the counters file is mounted; the chart's own default list stays at default-counters.csv, unused.</summary>
    public const string CountersPath = "/etc/dcgm-exporter/llmctl-counters.csv";

    public DcgmExporter(string name, DcgmExporterArgs? args = null, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        Args = args ?? new DcgmExporterArgs();
        ComponentArgumentException.ThrowIfAny(this, Validate(Args));

        Release = new HelmRelease(name, new HelmReleaseArgs
        {
            Chart = Chart,
            Repo = Repo,
            Version = Version,
            TargetNamespace = Args.Namespace,
            Values = Values(name, Args),
        }, new ComponentResourceOptions { Parent = this, DependsOn = RawOptions.DependsOn });

        // After the release: its install Job creates the namespace. The DaemonSet's pods wait for the ConfigMap
        // (ContainerCreating) until it is there.
        Counters = new KubernetesObject<V1ConfigMap>($"{name}-counters", new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = CountersConfigMapName(name),
                NamespaceProperty = Args.Namespace,
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = Chart, ["app.kubernetes.io/managed-by"] = "llmctl" },
            },
            Data = new Dictionary<string, string> { [CountersKey] = DcgmCounters.Csv(Args.ExtraCounters) },
        }, new CustomResourceOptions { Parent = this, DependsOn = [Release.Chart] });

        RegisterOutputs(new Dictionary<string, object?> { ["namespace"] = Args.Namespace });
    }

    public DcgmExporterArgs Args { get; }
    public HelmRelease Release { get; }
    public KubernetesObject<V1ConfigMap> Counters { get; }

    public static string CountersConfigMapName(string name) => $"{name}-counters";

    public static JsonObject Values(string name, DcgmExporterArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var fileName = Path.GetFileName(CountersPath);
        return new JsonObject
        {
            // The chart's image by digest (ChartImages.DcgmExporter: the sources beside it); the chart writes repository:tag.
            ["image"] = new JsonObject { ["tag"] = $"{ChartImages.DcgmExporter.Tag}@{ChartImages.DcgmExporter.Digest}" },
            ["runtimeClassName"] = args.RuntimeClassName,
            ["arguments"] = new JsonArray("-f", CountersPath),
            ["nodeSelector"] = new JsonObject(args.NodeSelector.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
            // Replaces the chart's list, so its control-plane toleration is repeated.
            ["tolerations"] = new JsonArray(
                new JsonObject
                {
                    ["key"] = GpuLabels.DedicatedTaintKey,
                    ["operator"] = "Equal",
                    ["value"] = GpuLabels.DedicatedTaintValue,
                    ["effect"] = GpuLabels.DedicatedTaintEffect,
                },
                new JsonObject { ["key"] = "node-role.kubernetes.io/control-plane", ["operator"] = "Exists", ["effect"] = "NoSchedule" }),
            ["serviceMonitor"] = new JsonObject
            {
                ["enabled"] = true,
                ["interval"] = args.ScrapeInterval,
                ["additionalLabels"] = new JsonObject { [ObservabilityLabels.Release] = args.PrometheusRelease },
            },
            ["extraConfigMapVolumes"] = new JsonArray(new JsonObject
            {
                ["name"] = "llmctl-counters",
                ["configMap"] = new JsonObject
                {
                    ["name"] = CountersConfigMapName(name),
                    ["items"] = new JsonArray(new JsonObject { ["key"] = CountersKey, ["path"] = fileName }),
                },
            }),
            ["extraVolumeMounts"] = new JsonArray(new JsonObject
            {
                ["name"] = "llmctl-counters",
                ["mountPath"] = CountersPath,
                ["subPath"] = fileName,
            }),
        };
    }

    private static List<ArgumentProblem> Validate(DcgmExporterArgs args)
    {
        var problems = new List<ArgumentProblem>();
        if (KubernetesNames.Dns1123LabelProblem(args.Namespace) is { } ns) problems.Add(new ArgumentProblem("namespace", ns));
        if (KubernetesNames.Dns1123LabelProblem(args.PrometheusRelease) is { } rel) problems.Add(new ArgumentProblem("prometheusRelease", rel));
        if (KubernetesNames.Dns1123LabelProblem(args.RuntimeClassName) is { } rc) problems.Add(new ArgumentProblem("runtimeClassName", rc));
        if (args.NodeSelector.Count == 0)
        {
            problems.Add(new ArgumentProblem("nodeSelector", "select the NVIDIA GPU nodes, e.g. workload.ai/gpu-vendor=nvidia; the exporter fails on nodes without a GPU"));
        }
        if (!ObservabilityLabels.IsPrometheusDuration(args.ScrapeInterval))
        {
            problems.Add(new ArgumentProblem("scrapeInterval", $"'{args.ScrapeInterval}' is not a Prometheus duration; write e.g. '15s'"));
        }
        for (var i = 0; i < args.ExtraCounters.Count; i++)
        {
            if (args.ExtraCounters[i].Problem() is { } p) problems.Add(new ArgumentProblem($"extraCounters[{i}]", p));
        }
        return problems;
    }
}
