using Llmctl.Engine.Config;

namespace Llmctl.Stacks.Config;

/// <summary>
/// <c>&lt;project&gt;:observability</c>: kube-prometheus-stack, the GPU exporter of each vendor present (DCGM for
/// NVIDIA, the ROCm device-metrics exporter for AMD), a ServiceMonitor per llama.cpp lane and for the gateway, the
/// platform alerts and the Grafana dashboards.
/// </summary>
[ConfigRecord]
public sealed partial record ObservabilityConfig
{
    public string Namespace { get; init; } = "monitoring";
    /// <summary>How long Prometheus keeps samples (<c>15d</c>).</summary>
    public string Retention { get; init; } = "15d";
    /// <summary>A PersistentVolumeClaim size for Prometheus (<c>50Gi</c>); null: emptyDir.</summary>
    public string? StorageSize { get; init; }
    public string? StorageClass { get; init; }
    public bool Alertmanager { get; init; } = true;
    public bool Alerts { get; init; } = true;
    public bool Dashboards { get; init; } = true;
    /// <summary>A Secret with Grafana's admin-user and admin-password keys; null: the chart's default.</summary>
    public string? GrafanaAdminSecret { get; init; }
}
