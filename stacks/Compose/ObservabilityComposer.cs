using Llmctl.Components.Cluster;
using Llmctl.Components.Gateway;
using Llmctl.Components.Gpu;
using Llmctl.Components.Observability;
using Llmctl.Engine.Model;
using Llmctl.Stacks.Config;

namespace Llmctl.Stacks.Compose;

/// <summary>
/// kube-prometheus-stack first, then what it scrapes and shows: the GPU exporter of each vendor present, a
/// ServiceMonitor per llama.cpp lane and for the gateway (authenticated with the gateway's master key), the platform
/// alerts for the cluster's GPU vendor, and the dashboards. Everything waits for the stack's CRDs.
/// </summary>
public static class ObservabilityComposer
{
    public static KubePrometheusStack? Compose(StackContext ctx, StackConfig config, GpuLayer gpu, LaneLayer lanes, LiteLlmGateway? gateway)
    {
        if (config.Observability is not { } o) return null;
        var ns = o.Namespace;
        var stack = new KubePrometheusStack(KubePrometheusStack.DefaultReleaseName, new KubePrometheusStackArgs
        {
            Namespace = ns,
            Retention = o.Retention,
            Storage = o.StorageSize is { } size ? new PrometheusStorage(size, o.StorageClass) : null,
            Alertmanager = o.Alertmanager,
            GrafanaAdminSecret = o.GrafanaAdminSecret,
            // Where the GPU nodes are the whole cluster and all tainted, Prometheus and its operator must tolerate the taint.
            Tolerate = DeclaredNodes.SystemTolerations(ctx),
        });
        var after = new ComponentResourceOptions { DependsOn = [stack] };
        var release = stack.ReleaseName;

        if (gpu.Nvidia is { } nvidia)
        {
            _ = new DcgmExporter("dcgm-exporter", new DcgmExporterArgs { Namespace = ns, PrometheusRelease = release, RuntimeClassName = nvidia.RuntimeClassName },
                new ComponentResourceOptions { DependsOn = [stack, nvidia, .. gpu.DevicePlugins] });
        }
        if (gpu.Has(GpuVendor.Amd))
        {
            _ = new AmdMetricsExporter("amd-metrics-exporter", new AmdMetricsExporterArgs { Namespace = ns, PrometheusRelease = release },
                new ComponentResourceOptions { DependsOn = [stack, .. gpu.DevicePlugins] });
        }

        foreach (var lane in lanes.LlamaCpp)
        {
            _ = new LlamaCppServiceMonitor(lane.Name, new LlamaCppServiceMonitorArgs
            {
                ServiceName = lane.Name,
                Namespace = lane.Args.Namespace,
                Models = [lane.Alias],
                PrometheusRelease = release,
            }, after); // Not on the lane: a ServiceMonitor may exist before its Service, and a parked lane keeps its scrape target.
        }

        if (gateway is not null)
        {
            _ = new LiteLlmServiceMonitor(gateway.Name, new LiteLlmServiceMonitorArgs
            {
                ServiceName = gateway.ServiceName,
                Namespace = gateway.Args.Namespace,
                BearerToken = new SecretKey(gateway.MasterKeySecretName, gateway.MasterKeySecretKeyName),
                PrometheusRelease = release,
            }, new ComponentResourceOptions { DependsOn = [stack, gateway] });
        }

        if (o.Alerts)
        {
            var vendors = new[] { GpuVendor.Nvidia, GpuVendor.Amd }.Where(gpu.Has).ToList();
            foreach (var vendor in vendors)
            {
                var name = vendors.Count == 1 ? "platform-alerts" : $"platform-alerts-{vendor.LabelValue()}";
                _ = new PlatformAlerts(name, new PlatformAlertsArgs { Namespace = ns, PrometheusRelease = release, Vendor = vendor }, after);
            }
        }
        if (o.Dashboards)
        {
            var present = new[] { GpuVendor.Nvidia, GpuVendor.Amd }.Where(gpu.Has).ToList();
            _ = new GrafanaDashboards("grafana-dashboards", new GrafanaDashboardsArgs { Namespace = ns, Dashboards = Dashboards.For(present) }, after);
        }
        return stack;
    }
}
