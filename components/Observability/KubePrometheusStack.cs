using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Llmctl.Components.Helm;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Observability;

/// <summary>
/// kube-prometheus-stack as one pinned k3s HelmChart. The Helm release name is the component's name, and the release
/// label is wired one way only: the chart's <c>serviceMonitorSelectorNilUsesHelmValues</c>,
/// <c>podMonitorSelectorNilUsesHelmValues</c> and <c>ruleSelectorNilUsesHelmValues</c> are written as <c>true</c>, so
/// its Prometheus selects objects labelled <c>release: &lt;name&gt;</c> in every namespace, and every ServiceMonitor and
/// PrometheusRule llmctl makes carries that label (<see cref="ReleaseName"/> is what to pass them). Grafana's
/// dashboard sidecar is on for ConfigMaps labelled <c>grafana_dashboard: "1"</c> in all namespaces, and
/// kube-state-metrics exports the <see cref="ObservabilityLabels.GpuLlm"/> pod label the platform alerts count.
/// </summary>
public sealed partial class KubePrometheusStack : ComponentResource
{
    public const string TypeToken = "llmctl:observability:KubePrometheusStack";
    public const string Chart = "kube-prometheus-stack";
    public const string Repo = "https://prometheus-community.github.io/helm-charts";
    /// <summary>Pinned chart version (upstream/SOURCES.md: chart 88.5.3, operator v0.93.1).</summary>
    public const string Version = "88.5.3";
    /// <summary>The pinned chart (its digest is in charts.lock.yaml).</summary>
    public static readonly ChartRef PinnedChart = new(Chart, Repo, Version);
    /// <summary>The release name the other observability components default to.</summary>
    public const string DefaultReleaseName = "kube-prometheus-stack";
    /// <summary>The Grafana datasource uid the chart's sidecar provisions.</summary>
    public const string DatasourceUid = "prometheus";

    public KubePrometheusStack(string name, KubePrometheusStackArgs? args = null, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        Args = args ?? new KubePrometheusStackArgs();
        ComponentArgumentException.ThrowIfAny(this, Validate(Args));
        Release = new HelmRelease(name, new HelmReleaseArgs
        {
            Chart = Chart,
            Repo = Repo,
            Version = Version,
            TargetNamespace = Args.Namespace,
            Values = Values(Args),
            // The CRDs and the operator's admission webhook take a while on a small node.
            Timeout = TimeSpan.FromMinutes(10),
        }, new ComponentResourceOptions { Parent = this, DependsOn = RawOptions.DependsOn });
        foreach (var unpinned in Unverified()) Release.Chart.Annotate(unpinned);
        RegisterOutputs(new Dictionary<string, object?>
        {
            ["releaseName"] = ReleaseName,
            ["namespace"] = Args.Namespace,
        });
    }

    public KubePrometheusStackArgs Args { get; }
    public HelmRelease Release { get; }
    /// <summary>The Helm release name: the value of the <c>release</c> label its Prometheus selects by.</summary>
    public string ReleaseName => Name;
    public string Namespace => Args.Namespace;

    /// <summary>The chart values; every key exists in the chart's values.yaml except kube-state-metrics' own.</summary>
    public static JsonObject Values(KubePrometheusStackArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var spec = new JsonObject
        {
            ["retention"] = args.Retention,
            // Explicit although they are the chart's defaults: the release label is how our objects are selected.
            ["serviceMonitorSelectorNilUsesHelmValues"] = true,
            ["podMonitorSelectorNilUsesHelmValues"] = true,
            ["ruleSelectorNilUsesHelmValues"] = true,
            // {} = every namespace: lanes' ServiceMonitors live beside the lanes.
            ["serviceMonitorNamespaceSelector"] = new JsonObject(),
            ["ruleNamespaceSelector"] = new JsonObject(),
        };
        if (args.RetentionSize is { } size) spec["retentionSize"] = size;
        if (args.Storage is { } storage)
        {
            var pvc = new JsonObject
            {
                ["accessModes"] = new JsonArray("ReadWriteOnce"),
                ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = storage.Size } },
            };
            if (storage.StorageClass is { } sc) pvc["storageClassName"] = sc;
            spec["storageSpec"] = new JsonObject { ["volumeClaimTemplate"] = new JsonObject { ["spec"] = pvc } };
        }

        var grafana = new JsonObject
        {
            ["defaultDashboardsEnabled"] = args.DefaultDashboards,
            ["sidecar"] = new JsonObject
            {
                ["dashboards"] = new JsonObject
                {
                    ["enabled"] = true,
                    ["label"] = ObservabilityLabels.GrafanaDashboard,
                    ["labelValue"] = ObservabilityLabels.GrafanaDashboardValue,
                    ["searchNamespace"] = "ALL",
                },
                ["datasources"] = new JsonObject { ["enabled"] = true, ["uid"] = DatasourceUid },
            },
        };
        if (args.GrafanaAdminSecret is { } secret)
        {
            grafana["admin"] = new JsonObject { ["existingSecret"] = secret, ["userKey"] = "admin-user", ["passwordKey"] = "admin-password" };
        }

        // Every image with a verified digest, through the chart's own keys: `sha` (64 hex; kube-state-metrics' takes the
        // sha256: prefix) or node-exporter's `digest`. ChartImages has the sources beside each.
        spec["image"] = Sha(ChartImages.Prometheus);
        grafana["image"] = Sha(ChartImages.Grafana);
        var alertmanagerSpec = new JsonObject { ["image"] = Sha(ChartImages.Alertmanager) };
        var promOperator = new JsonObject
        {
            ["image"] = Sha(ChartImages.PrometheusOperator),
            ["prometheusConfigReloader"] = new JsonObject { ["image"] = Sha(ChartImages.PrometheusConfigReloader) },
        };
        var kubeStateMetrics = new JsonObject
        {
            // A value of the kube-state-metrics subchart (its values.yaml: metricLabelsAllowlist: []): without it
            // kube_pod_labels carries no pod labels and the GPU-LLM invariant cannot be computed.
            ["metricLabelsAllowlist"] = new JsonArray($"pods=[{ObservabilityLabels.GpuLlm}]"),
            ["image"] = new JsonObject { ["sha"] = ChartImages.KubeStateMetrics.Digest },
        };
        if (args.Tolerate.Count > 0)
        {
            // Every pod template of the chart that has no toleration of its own (node-exporter tolerates every
            // NoSchedule taint by default): values.yaml's prometheusOperator.tolerations, …admissionWebhooks.patch,
            // prometheus.prometheusSpec, alertmanager.alertmanagerSpec, grafana's and kube-state-metrics' tolerations.
            spec["tolerations"] = SystemTolerations.Of(args.Tolerate);
            alertmanagerSpec["tolerations"] = SystemTolerations.Of(args.Tolerate);
            promOperator["tolerations"] = SystemTolerations.Of(args.Tolerate);
            promOperator["admissionWebhooks"] = new JsonObject { ["patch"] = new JsonObject { ["tolerations"] = SystemTolerations.Of(args.Tolerate) } };
            grafana["tolerations"] = SystemTolerations.Of(args.Tolerate);
            kubeStateMetrics["tolerations"] = SystemTolerations.Of(args.Tolerate);
        }

        return new JsonObject
        {
            ["alertmanager"] = new JsonObject { ["enabled"] = args.Alertmanager, ["alertmanagerSpec"] = alertmanagerSpec },
            ["grafana"] = grafana,
            ["prometheus"] = new JsonObject { ["prometheusSpec"] = spec },
            ["prometheusOperator"] = promOperator,
            ["prometheus-node-exporter"] = new JsonObject { ["image"] = new JsonObject { ["digest"] = ChartImages.NodeExporter.Digest } },
            ["kube-state-metrics"] = kubeStateMetrics,
        };
    }

    private static JsonObject Sha(ChartImage image) => new() { ["sha"] = image.Hex };

    /// <summary>The chart's images no digest could be verified for (ChartImages), named on the release so chart-images-pinned reports them.</summary>
    public static IEnumerable<UnpinnedChartImage> Unverified() =>
        new[] { ChartImages.GrafanaSidecar, ChartImages.AdmissionWebhookCertgen }.Select(i => i.Unverified()).OfType<UnpinnedChartImage>();

    private static List<ArgumentProblem> Validate(KubePrometheusStackArgs args)
    {
        var problems = new List<ArgumentProblem>();
        if (KubernetesNames.Dns1123LabelProblem(args.Namespace) is { } ns) problems.Add(new ArgumentProblem("namespace", ns));
        if (!ObservabilityLabels.IsPrometheusDuration(args.Retention))
        {
            problems.Add(new ArgumentProblem("retention", $"'{args.Retention}' is not a Prometheus duration; write e.g. '15d' or '720h'"));
        }
        if (args.RetentionSize is { } size && !RetentionSize().IsMatch(size))
        {
            problems.Add(new ArgumentProblem("retentionSize", $"'{size}' is not a Prometheus byte size; write e.g. '40GB' (units B, KB, MB, GB, TB, PB, EB)"));
        }
        if (args.Storage is { } storage)
        {
            if (!KubernetesQuantity().IsMatch(storage.Size ?? ""))
            {
                problems.Add(new ArgumentProblem("storage.size", $"'{storage.Size}' is not a Kubernetes quantity; write e.g. '50Gi'"));
            }
            if (storage.StorageClass is { } sc && KubernetesNames.Dns1123LabelProblem(sc) is { } scProblem)
            {
                problems.Add(new ArgumentProblem("storage.storageClass", scProblem));
            }
        }
        if (args.GrafanaAdminSecret is { } secret && KubernetesNames.Dns1123LabelProblem(secret) is { } secretProblem)
        {
            problems.Add(new ArgumentProblem("grafanaAdminSecret", secretProblem));
        }
        return problems;
    }

    // prometheus-operator's ByteSize pattern.
    [GeneratedRegex(@"^(0|([0-9]*[.])?[0-9]+((K|M|G|T|E|P)i?)?B)$")]
    private static partial Regex RetentionSize();

    [GeneratedRegex(@"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")]
    private static partial Regex KubernetesQuantity();
}
