using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llmctl.Components.Observability;
using Llmctl.Engine.Model;
using Llmctl.Testing;

namespace Llmctl.Components.Tests.Observability;

public sealed class PlatformAlertsTests
{
    private static PlatformAlerts Build(PlatformAlertsArgs? args = null)
    {
        PlatformAlerts? alerts = null;
        StackContext.Run("p", "s", _ => alerts = new PlatformAlerts("platform-alerts", args));
        return alerts!;
    }

    private static IEnumerable<V1Rule> Rules(PlatformAlerts a) => a.Rule.Object.Spec.Groups.SelectMany(g => g.Rules);

    [Theory]
    [InlineData(Llmctl.Components.Gpu.GpuVendor.Nvidia)]
    [InlineData(Llmctl.Components.Gpu.GpuVendor.Amd)]
    public void Every_rule_group_passes_promtool_check_rules(Llmctl.Components.Gpu.GpuVendor vendor)
    {
        var promtool = FindOnPath("promtool");
        if (promtool is null) Assert.Skip("promtool is not installed (.ci/run installs it: apt-get install prometheus); the rules were not checked");
        var alerts = Build(new PlatformAlertsArgs { Vendor = vendor });
        // A Prometheus rule file is {groups: [...]}: the PrometheusRule's spec. JSON is YAML, so promtool reads it as written.
        var file = Path.Combine(Path.GetTempPath(), $"llmctl-rules-{Guid.NewGuid():N}.yml");
        File.WriteAllText(file, ((JsonObject)alerts.Rule.Inputs["spec"]!).ToJsonString());
        try
        {
            var psi = new ProcessStartInfo(promtool, ["check", "rules", file]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(psi)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"promtool check rules failed:\n{output}");
            Assert.Contains($"SUCCESS: {Rules(alerts).Count()} rules found", output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void The_PrometheusRule_validates_against_the_prometheus_operator_CRD()
    {
        CrdSchema.AssertValid("prometheus-operator", "monitoring.coreos.com_prometheusrules.yaml", Build().Rule.Inputs);
    }

    [Fact]
    public void The_rule_carries_the_release_label_kube_prometheus_stack_selects_by()
    {
        var alerts = Build(new PlatformAlertsArgs { PrometheusRelease = "kps" });
        Assert.Equal("kubernetes:monitoring.coreos.com/v1:PrometheusRule", alerts.Rule.Type);
        Assert.Equal("kps", alerts.Rule.Object.Metadata.Labels[ObservabilityLabels.Release]);
        Assert.Equal("monitoring", alerts.Rule.Object.Metadata.NamespaceProperty);
    }

    [Fact]
    public void Every_alert_has_a_for_duration_a_severity_a_summary_and_a_description()
    {
        foreach (var rule in Rules(Build()))
        {
            Assert.False(string.IsNullOrEmpty(rule.Alert));
            Assert.Matches("^[0-9]+[smh]$", rule.For);
            Assert.Contains(rule.Labels!["severity"], new[] { "warning", "critical" });
            Assert.False(string.IsNullOrWhiteSpace(rule.Annotations!["summary"]), rule.Alert);
            Assert.False(string.IsNullOrWhiteSpace(rule.Annotations!["description"]), rule.Alert);
        }
    }

    [Fact]
    public void The_alerts_cover_the_GPU_contract_GPU_health_and_serving_health()
    {
        var names = Rules(Build()).Select(r => r.Alert).ToList();
        Assert.Equal(
            ["GpuLlmPodPending", "GpuLlmPodsNotOnePerGpu", "GpuXidError", "GpuVramNearlyFull", "GpuTemperatureHigh", "GpuTelemetryMissing",
             "ModelPodRestarting", "GatewayErrorRateHigh", "TimeToFirstTokenSlow"],
            names);
    }

    [Fact]
    public void The_GPU_contract_counts_pods_by_the_gpu_llm_label_and_the_vendors_resource()
    {
        var rules = Rules(Build()).ToDictionary(r => r.Alert!);
        Assert.Contains("kube_pod_labels{label_workload_ai_gpu_llm=\"true\"}", rules["GpuLlmPodPending"].Expr);
        Assert.Contains("kube_pod_status_phase{phase=\"Pending\"}", rules["GpuLlmPodPending"].Expr);
        var perGpu = rules["GpuLlmPodsNotOnePerGpu"].Expr;
        Assert.Contains("kube_pod_container_resource_requests{resource=\"nvidia_com_gpu\"}", perGpu);
        Assert.Contains("kube_node_status_allocatable{resource=\"nvidia_com_gpu\"}", perGpu);

        var amd = Rules(Build(new PlatformAlertsArgs { Vendor = Llmctl.Components.Gpu.GpuVendor.Amd })).Single(r => r.Alert == "GpuLlmPodsNotOnePerGpu");
        Assert.Contains("resource=\"amd_com_gpu\"", amd.Expr);
    }

    [Fact]
    public void The_thresholds_come_from_the_args()
    {
        var rules = Rules(Build(new PlatformAlertsArgs { VramUsedRatio = 0.9, GpuTemperatureCelsius = 80, GatewayErrorRatio = 0.1, TtftP95 = TimeSpan.FromSeconds(7.5) }))
            .ToDictionary(r => r.Alert!);
        Assert.Equal("DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE) > 0.9", rules["GpuVramNearlyFull"].Expr);
        Assert.Equal("DCGM_FI_DEV_GPU_TEMP > 80", rules["GpuTemperatureHigh"].Expr);
        Assert.EndsWith("> 0.1", rules["GatewayErrorRateHigh"].Expr);
        Assert.EndsWith("> 7.5", rules["TimeToFirstTokenSlow"].Expr);
    }

    [Fact]
    public void Every_rule_queries_only_metrics_the_exporters_emit()
    {
        foreach (var rule in Rules(Build()))
        {
            var unknown = KnownMetrics.In(rule.Expr).Except(KnownMetrics.All).ToList();
            Assert.True(unknown.Count == 0, $"{rule.Alert} uses metrics no exporter emits: {string.Join(", ", unknown)}");
        }
    }

    [Fact]
    public void Bad_thresholds_are_refused_with_every_problem_named()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new PlatformAlertsArgs
        {
            Namespace = "Monitoring",
            VramUsedRatio = 95,
            GpuTemperatureCelsius = 200,
            GatewayErrorRatio = 0,
            TtftP95 = TimeSpan.Zero,
        }));
        Assert.Equal(["namespace", "vramUsedRatio", "gpuTemperatureCelsius", "gatewayErrorRatio", "ttftP95"], ex.Problems.Select(p => p.Argument));
        Assert.Contains("95 is not a fraction between 0 and 1; write e.g. 0.95", ex.Message);
    }

    internal static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);

    [Fact]
    public void AMD_rules_read_the_AMD_exporter_and_never_DCGM()
    {
        var rules = Rules(Build(new PlatformAlertsArgs { Vendor = Llmctl.Components.Gpu.GpuVendor.Amd })).ToList();

        Assert.DoesNotContain(rules, r => r.Expr.Contains("DCGM_", StringComparison.Ordinal));
        Assert.Equal("absent(gpu_gfx_activity)", rules.Single(r => r.Alert == "GpuTelemetryMissing").Expr);
        Assert.Contains("gpu_used_vram / gpu_total_vram", rules.Single(r => r.Alert == "GpuVramNearlyFull").Expr, StringComparison.Ordinal);
        Assert.Contains("gpu_edge_temperature or gpu_junction_temperature", rules.Single(r => r.Alert == "GpuTemperatureHigh").Expr, StringComparison.Ordinal);
    }
}

public sealed class KnownMetricsTests
{
    [Fact]
    public void The_metric_name_scanner_skips_functions_labels_groupings_and_numbers()
    {
        var names = KnownMetrics.In("histogram_quantile(0.95, sum by (le, model) (rate(litellm_x_bucket{model=\"a b\"}[10m]))) / 1e6 "
            + "and on (namespace, pod) kube_pod_labels{label_x=\"true\"} or vector(0) > llamacpp:requests_deferred");
        Assert.Equal(new[] { "kube_pod_labels", "litellm_x_bucket", "llamacpp:requests_deferred" }, names.Order());
    }

}
