using Llmctl.Components.Certificates;
using Llmctl.Components.Gpu;
using Llmctl.Components.Helm;
using Llmctl.Components.Models;
using Llmctl.Components.Observability;

namespace Llmctl.Testing;

/// <summary>
/// The charts of both sample stacks whose full sources are in <c>../shared/upstream/charts-src</c>, each packaged as the
/// version its component pins (<see cref="ChartRef"/>). Not here: LiteLLM's chart (only its values.yaml and Chart.yaml
/// could be collected) and AMD's device-metrics exporter chart (not collected), which therefore cannot be rendered.
/// </summary>
public static class UpstreamCharts
{
    public static IReadOnlyList<(ChartRef Chart, ChartPackage Package)> All { get; } =
    [
        (NvidiaDevicePluginChart.Ref, new ChartPackage("nvidia-device-plugin", NvidiaDevicePluginChart.Ref.Version)),
        // In git the chart says 0.2.1; the release tooling packages it as 0.19.0 (SOURCES.md, note H2).
        (NodeFeatureDiscoveryChart.Ref, new ChartPackage("node-feature-discovery-0.19.0", NodeFeatureDiscoveryChart.Ref.Version)),
        (AmdGpuChart.Ref, new ChartPackage("amd-gpu", AmdGpuChart.Ref.Version)),
        (DcgmExporter.PinnedChart, new ChartPackage("dcgm-exporter", DcgmExporter.PinnedChart.Version)),
        (KubePrometheusStack.PinnedChart, new ChartPackage("kube-prometheus-stack", KubePrometheusStack.PinnedChart.Version)),
        // Git carries the placeholder v0.0.0 for both versions; the release tool fills them in (SOURCES.md, note H3).
        (CertManager.PinnedChart, new ChartPackage("cert-manager", CertManager.PinnedChart.Version, CertManager.PinnedChart.Version)),
        (IonosDnsWebhook.PinnedChart, new ChartPackage("cert-manager-webhook-ionos", IonosDnsWebhook.PinnedChart.Version)),
        (OllamaLane.PinnedChart, new ChartPackage("ollama", OllamaLane.PinnedChart.Version)),
    ];

    private static readonly object Gate = new();
    private static LocalChartRepository? _shared;

    /// <summary>One repository serving every chart of <see cref="All"/>, packaged once per test run (skips without helm or ../shared).</summary>
    public static LocalChartRepository SharedRepository()
    {
        lock (Gate)
        {
            RealHelm.Require();
            if (_shared is null)
            {
                _shared = LocalChartRepository.Start(All.Select(c => c.Package));
                AppDomain.CurrentDomain.ProcessExit += (_, _) => _shared.Dispose();
            }
            return _shared;
        }
    }
}
