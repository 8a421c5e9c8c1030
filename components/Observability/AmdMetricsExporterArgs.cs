using Llmctl.Components.Gpu;

namespace Llmctl.Components.Observability;

/// <summary>AMD's Device Metrics Exporter on the AMD GPU nodes.</summary>
public sealed record AmdMetricsExporterArgs
{
    public string Namespace { get; init; } = "monitoring";
    /// <summary>The kube-prometheus-stack release whose Prometheus scrapes the chart's ServiceMonitor.</summary>
    public string PrometheusRelease { get; init; } = KubePrometheusStack.DefaultReleaseName;
    public IReadOnlyDictionary<string, string> NodeSelector { get; init; } = new Dictionary<string, string>
    {
        [GpuLabels.Gpu] = "true",
        [GpuLabels.Vendor] = GpuVendor.Amd.LabelValue(),
    };
    /// <summary>A Prometheus duration (the chart's default is 30s).</summary>
    public string ScrapeInterval { get; init; } = "30s";
    /// <summary>A ConfigMap in <see cref="Namespace"/> with the exporter's <c>config.json</c> (fields, labels, prefix); null for its defaults.</summary>
    public string? ConfigMap { get; init; }
}
