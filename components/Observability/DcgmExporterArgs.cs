using Llmctl.Components.Gpu;

namespace Llmctl.Components.Observability;

/// <summary>NVIDIA's dcgm-exporter on every NVIDIA GPU node.</summary>
public sealed record DcgmExporterArgs
{
    public string Namespace { get; init; } = "monitoring";
    /// <summary>The kube-prometheus-stack release whose Prometheus scrapes the chart's ServiceMonitor.</summary>
    public string PrometheusRelease { get; init; } = KubePrometheusStack.DefaultReleaseName;
    /// <summary>k3s's default runtime is runc: the exporter needs the NVIDIA runtime to see the GPU.</summary>
    public string RuntimeClassName { get; init; } = NvidiaRuntime.DefaultName;
    /// <summary>Which nodes run the exporter: by default every node labelled as an NVIDIA GPU node.</summary>
    public IReadOnlyDictionary<string, string> NodeSelector { get; init; } = new Dictionary<string, string>
    {
        [GpuLabels.Gpu] = "true",
        [GpuLabels.Vendor] = GpuVendor.Nvidia.LabelValue(),
    };
    /// <summary>Counters beyond <see cref="DcgmCounters.Defaults"/> and <see cref="DcgmCounters.Platform"/>.</summary>
    public IReadOnlyList<DcgmCounter> ExtraCounters { get; init; } = [];
    /// <summary>A Prometheus duration.</summary>
    public string ScrapeInterval { get; init; } = "15s";
}
