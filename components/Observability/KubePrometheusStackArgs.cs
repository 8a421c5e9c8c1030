namespace Llmctl.Components.Observability;

/// <summary>Prometheus's own volume; without one the TSDB lives in an emptyDir and is lost with the pod.</summary>
/// <param name="Size">A Kubernetes quantity for the PersistentVolumeClaim: <c>50Gi</c>.</param>
/// <param name="StorageClass">The StorageClass; null for the cluster default (k3s: <c>local-path</c>).</param>
public sealed record PrometheusStorage(string Size, string? StorageClass = null);

/// <summary>kube-prometheus-stack: Prometheus, Alertmanager, Grafana, kube-state-metrics and node-exporter.</summary>
public sealed record KubePrometheusStackArgs
{
    /// <summary>Where the chart's objects go (and the dashboards and platform rules by default).</summary>
    public string Namespace { get; init; } = "monitoring";
    /// <summary>How long Prometheus keeps samples: a Prometheus duration.</summary>
    public string Retention { get; init; } = "15d";
    /// <summary>An upper bound on the TSDB's size (<c>40GB</c>, units B KB MB GB TB PB EB); null for none.</summary>
    public string? RetentionSize { get; init; }
    /// <summary>A PersistentVolumeClaim for Prometheus; null keeps the chart's emptyDir.</summary>
    public PrometheusStorage? Storage { get; init; }
    public bool Alertmanager { get; init; } = true;
    /// <summary>The chart's stock Kubernetes dashboards; the sidecar loads llmctl's beside them either way.</summary>
    public bool DefaultDashboards { get; init; } = true;
    /// <summary>A Secret in <see cref="Namespace"/> with keys <c>admin-user</c> and <c>admin-password</c>; null lets the chart generate one.</summary>
    public string? GrafanaAdminSecret { get; init; }
    /// <summary>Taints the chart's pods tolerate (<see cref="Helm.SystemTolerations"/>); empty: none.</summary>
    public IReadOnlyList<k8s.Models.V1Taint> Tolerate { get; init; } = [];
}
