using Llmctl.Components.Images;

namespace Llmctl.Components.Gpu;

public sealed record AmdGpuPluginArgs
{
    /// <summary>The namespace the DaemonSets go to (<c>kube-system</c>, as seed 000 installs it).</summary>
    public string Namespace { get; init; } = AmdGpuChart.Namespace;
    /// <summary>An exact chart version of <see cref="AmdGpuChart.Repo"/>.</summary>
    public string ChartVersion { get; init; } = AmdGpuChart.Version;
    /// <summary>The device plugin image, pinned (<c>docker.io/rocm/k8s-device-plugin:1.31.0.9@sha256:…</c>); null keeps the chart's tag.</summary>
    public ImageRef? Image { get; init; }
    /// <summary>The node labeller image, pinned (<c>…:labeller-1.31.0.9@sha256:…</c>); null keeps the chart's tag.</summary>
    public ImageRef? LabellerImage { get; init; }
    /// <summary>Run the node labeller (<c>amd.com/gpu.family</c>, <c>.vram</c>, <c>.device-id</c>, <c>.cu-count</c> labels).</summary>
    public bool NodeLabeller { get; init; } = true;
    /// <summary>Install the chart's NFD sub-chart; off because llmctl deploys <see cref="NodeFeatureDiscovery"/> once.</summary>
    public bool NfdSubchart { get; init; }
    /// <summary>
    /// Labels both DaemonSets require (<c>node_selector</c>). Helm merges maps: the chart's
    /// <c>kubernetes.io/arch: amd64</c> stays, its NFD key <c>feature.node.kubernetes.io/pci-0300_1002.present</c> is
    /// nulled (<see cref="AmdGpuPlugin.ChartSelectorKeysRemoved"/>) unless listed here, so the plugin does not need NFD.
    /// </summary>
    public IReadOnlyDictionary<string, string> NodeSelector { get; init; } = new Dictionary<string, string>
    {
        [GpuLabels.Gpu] = "true",
        [GpuLabels.Vendor] = "amd",
    };
    /// <summary>Tolerate <c>workload.ai/dedicated=gpu:NoSchedule</c> and <c>amd.com/gpu</c> besides the chart's own toleration.</summary>
    public bool TolerateDedicatedTaint { get; init; } = true;
}
