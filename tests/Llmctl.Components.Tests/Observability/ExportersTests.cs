using System.Text.Json.Nodes;
using Llmctl.Components.Gpu;
using Llmctl.Components.Observability;
using Llmctl.Engine.Model;
using Llmctl.Testing;

namespace Llmctl.Components.Tests.Observability;

public sealed class DcgmExporterTests
{
    private static DcgmExporter Build(DcgmExporterArgs? args = null)
    {
        DcgmExporter? exporter = null;
        StackContext.Run("p", "s", _ => exporter = new DcgmExporter("dcgm-exporter", args));
        return exporter!;
    }

    [Fact]
    public void The_chart_is_pinned_and_runs_with_the_nvidia_runtime_on_NVIDIA_GPU_nodes_only()
    {
        var exporter = Build();
        var chart = exporter.Release.Chart.Object.Spec;
        Assert.Equal(("dcgm-exporter", "https://nvidia.github.io/dcgm-exporter/helm-charts", "4.8.2"), (chart.Chart, chart.Repo, chart.Version));
        var values = DcgmExporter.Values("dcgm-exporter", exporter.Args);
        Assert.Equal("nvidia", values["runtimeClassName"]!.GetValue<string>());
        Assert.Equal("""{"workload.ai/gpu":"true","workload.ai/gpu-vendor":"nvidia"}""", values["nodeSelector"]!.ToJsonString());
        Assert.Contains(values["tolerations"]!.AsArray(), t => t!["key"]!.GetValue<string>() == GpuLabels.DedicatedTaintKey);
    }

    [Fact]
    public void The_ServiceMonitor_is_enabled_with_the_kube_prometheus_stack_release_label()
    {
        var values = DcgmExporter.Values("dcgm-exporter", new DcgmExporterArgs { PrometheusRelease = "kps" });
        Assert.True(values["serviceMonitor"]!["enabled"]!.GetValue<bool>());
        Assert.Equal("kps", values["serviceMonitor"]!["additionalLabels"]!["release"]!.GetValue<string>());
    }

    [Fact]
    public void Every_values_key_exists_in_the_charts_values_yaml()
    {
        // Toleration items are Kubernetes objects; upstream's sample item just has no `value`.
        ChartValues.AssertKeysExist("dcgm-exporter", DcgmExporter.Values("dcgm-exporter", new DcgmExporterArgs()), "tolerations");
    }

    [Fact]
    public void The_counters_ConfigMap_adds_throttle_reasons_Xid_and_PCIe_to_the_default_set_and_is_mounted_for_f()
    {
        var exporter = Build(new DcgmExporterArgs { ExtraCounters = [new("DCGM_FI_PROF_SM_ACTIVE", DcgmMetricType.Gauge, "SM active ratio.")] });
        var csv = exporter.Counters.Object.Data[DcgmExporter.CountersKey];
        var fields = csv.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split(',')[0]).ToList();
        foreach (var f in new[] { "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE",
                     "DCGM_FI_DEV_SM_CLOCK", "DCGM_FI_DEV_MEM_CLOCK", "DCGM_FI_DEV_XID_ERRORS", "DCGM_FI_DEV_CLOCKS_EVENT_REASONS",
                     "DCGM_FI_PROF_PCIE_TX_BYTES", "DCGM_FI_PROF_PCIE_RX_BYTES", "DCGM_FI_DEV_PCIE_REPLAY_COUNTER", "DCGM_FI_PROF_SM_ACTIVE" })
        {
            Assert.Contains(f, fields);
        }
        Assert.Equal(fields.Count, fields.Distinct().Count());
        Assert.All(csv.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')), l => Assert.Equal(3, l.Split(',').Length));
        Assert.Contains("DCGM_FI_DEV_CLOCKS_EVENT_REASONS, gauge, ", csv);

        Assert.Equal("monitoring", exporter.Counters.Object.Metadata.NamespaceProperty);
        Assert.Contains(exporter.Release.Chart, exporter.Counters.Dependencies);
        var values = DcgmExporter.Values("dcgm-exporter", exporter.Args);
        Assert.Equal("""["-f","/etc/dcgm-exporter/llmctl-counters.csv"]""", values["arguments"]!.ToJsonString());
        Assert.Equal("dcgm-exporter-counters", values["extraConfigMapVolumes"]![0]!["configMap"]!["name"]!.GetValue<string>());
        Assert.Equal(DcgmExporter.CountersPath, values["extraVolumeMounts"]![0]!["mountPath"]!.GetValue<string>());
    }

    [Fact]
    public void Bad_args_are_refused_with_every_problem_named()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new DcgmExporterArgs
        {
            RuntimeClassName = "",
            NodeSelector = new Dictionary<string, string>(),
            ScrapeInterval = "15 seconds",
            ExtraCounters = [new("gpu_temp", DcgmMetricType.Gauge, "x"), new("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", DcgmMetricType.Counter, "single, double")],
        }));
        Assert.Equal(["runtimeClassName", "nodeSelector", "scrapeInterval", "extraCounters[0]", "extraCounters[1]"], ex.Problems.Select(p => p.Argument));
        Assert.Contains("'gpu_temp' is not a DCGM field name", ex.Message);
        Assert.Contains("without commas (the file is CSV)", ex.Message);
    }
}

public sealed class AmdMetricsExporterTests
{
    // The chart's values.yaml is not in ../shared/upstream; these are its top-level keys and nested keys as reference
    // §3.2 lists them (ROCm/device-metrics-exporter helm-charts/values.yaml).
    private static readonly HashSet<string> UpstreamKeys =
    [
        "platform", "nodeSelector", "tolerations", "affinity", "podAnnotations", "hostNetwork", "image", "resources", "configMap",
        "kubelet", "monitor", "service", "service.type", "service.annotations", "service.ClusterIP", "service.ClusterIP.port",
        "service.NodePort", "serviceMonitor", "serviceMonitor.enabled", "serviceMonitor.interval", "serviceMonitor.honorLabels",
        "serviceMonitor.honorTimestamps", "serviceMonitor.labels", "serviceMonitor.relabelings", "serviceMonitor.metricRelabelings",
        "serviceMonitor.attachMetadata",
    ];

    private static AmdMetricsExporter Build(AmdMetricsExporterArgs? args = null)
    {
        AmdMetricsExporter? exporter = null;
        StackContext.Run("p", "s", _ => exporter = new AmdMetricsExporter("amd-metrics-exporter", args));
        return exporter!;
    }

    [Fact]
    public void The_chart_is_pinned_runs_on_AMD_GPU_nodes_and_labels_its_ServiceMonitor_for_the_release()
    {
        var exporter = Build(new AmdMetricsExporterArgs { PrometheusRelease = "kps" });
        var chart = exporter.Release.Chart.Object.Spec;
        Assert.Equal(("device-metrics-exporter-charts", "https://rocm.github.io/device-metrics-exporter", "v1.5.2"), (chart.Chart, chart.Repo, chart.Version));
        var values = AmdMetricsExporter.Values(exporter.Args);
        Assert.Equal("amd", values["nodeSelector"]!["workload.ai/gpu-vendor"]!.GetValue<string>());
        Assert.True(values["serviceMonitor"]!["enabled"]!.GetValue<bool>());
        Assert.Equal("kps", values["serviceMonitor"]!["labels"]!["release"]!.GetValue<string>());
    }

    [Fact]
    public void Every_values_key_is_one_the_chart_documents()
    {
        var values = AmdMetricsExporter.Values(new AmdMetricsExporterArgs { ConfigMap = "amd-exporter-config" });
        var paths = new List<string>();
        foreach (var (key, value) in values)
        {
            paths.Add(key);
            if (key is "service" or "serviceMonitor") paths.AddRange(Paths(key, value!.AsObject()).Where(p => !p.StartsWith("serviceMonitor.labels.", StringComparison.Ordinal)));
        }
        var unknown = paths.Where(p => !UpstreamKeys.Contains(p)).ToList();
        Assert.True(unknown.Count == 0, "keys the chart does not document: " + string.Join(", ", unknown));

        static IEnumerable<string> Paths(string prefix, JsonObject o) => o.SelectMany(kv =>
            kv.Value is JsonObject child ? Paths($"{prefix}.{kv.Key}", child).Prepend($"{prefix}.{kv.Key}") : [$"{prefix}.{kv.Key}"]);
    }

    [Fact]
    public void Bad_args_are_refused_with_every_problem_named()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new AmdMetricsExporterArgs
        {
            Namespace = "",
            NodeSelector = new Dictionary<string, string>(),
            ScrapeInterval = "soon",
        }));
        Assert.Equal(["namespace", "nodeSelector", "scrapeInterval"], ex.Problems.Select(p => p.Argument));
    }
}

public sealed class KubePrometheusStackTests
{
    private static KubePrometheusStack Build(KubePrometheusStackArgs? args = null)
    {
        KubePrometheusStack? stack = null;
        StackContext.Run("p", "s", _ => stack = new KubePrometheusStack("kube-prometheus-stack", args));
        return stack!;
    }

    [Fact]
    public void The_chart_is_pinned_and_selects_monitors_and_rules_by_the_release_label()
    {
        var stack = Build();
        var chart = stack.Release.Chart.Object.Spec;
        Assert.Equal(("kube-prometheus-stack", "https://prometheus-community.github.io/helm-charts", "88.5.3"), (chart.Chart, chart.Repo, chart.Version));
        Assert.Equal("kube-prometheus-stack", stack.ReleaseName);
        var spec = KubePrometheusStack.Values(stack.Args)["prometheus"]!["prometheusSpec"]!;
        Assert.True(spec["serviceMonitorSelectorNilUsesHelmValues"]!.GetValue<bool>());
        Assert.True(spec["ruleSelectorNilUsesHelmValues"]!.GetValue<bool>());
        Assert.Equal("15d", spec["retention"]!.GetValue<string>());
        Assert.Null(spec["storageSpec"]);
    }

    [Fact]
    public void Grafana_loads_dashboards_from_ConfigMaps_labelled_grafana_dashboard_1_and_kube_state_metrics_exports_the_gpu_llm_label()
    {
        var values = KubePrometheusStack.Values(new KubePrometheusStackArgs());
        var sidecar = values["grafana"]!["sidecar"]!["dashboards"]!;
        Assert.True(sidecar["enabled"]!.GetValue<bool>());
        Assert.Equal(("grafana_dashboard", "1", "ALL"), (sidecar["label"]!.GetValue<string>(), sidecar["labelValue"]!.GetValue<string>(), sidecar["searchNamespace"]!.GetValue<string>()));
        Assert.Equal("""["pods=[workload.ai/gpu-llm]"]""", values["kube-state-metrics"]!["metricLabelsAllowlist"]!.ToJsonString());
    }

    [Fact]
    public void Every_values_key_exists_in_the_charts_values_yaml()
    {
        var values = KubePrometheusStack.Values(new KubePrometheusStackArgs
        {
            RetentionSize = "40GB",
            Storage = new PrometheusStorage("50Gi", "local-path"),
            GrafanaAdminSecret = "grafana-admin",
        });
        // kube-state-metrics, Grafana and node-exporter are subcharts: their keys are in their own values.yaml, not the
        // parent's (the digests reaching the rendered pods is checked with the real helm in RenderedChildrenPolicyTests).
        ChartValues.AssertKeysExist("kube-prometheus-stack", values, "kube-state-metrics.metricLabelsAllowlist", "kube-state-metrics.image",
            "grafana.image", "prometheus-node-exporter.image");
    }

    [Fact]
    public void Storage_becomes_a_volume_claim_template()
    {
        var spec = KubePrometheusStack.Values(new KubePrometheusStackArgs { Storage = new PrometheusStorage("50Gi", "local-path") })["prometheus"]!["prometheusSpec"]!;
        Assert.Equal("""{"volumeClaimTemplate":{"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"50Gi"}},"storageClassName":"local-path"}}}""",
            spec["storageSpec"]!.ToJsonString());
    }

    [Fact]
    public void Bad_args_are_refused_with_every_problem_named()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new KubePrometheusStackArgs
        {
            Retention = "two weeks",
            RetentionSize = "40G",
            Storage = new PrometheusStorage("lots"),
        }));
        Assert.Equal(["retention", "retentionSize", "storage.size"], ex.Problems.Select(p => p.Argument));
        Assert.Contains("'two weeks' is not a Prometheus duration", ex.Message);
    }
}
