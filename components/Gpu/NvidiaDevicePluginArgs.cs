using Llmctl.Components.Images;

namespace Llmctl.Components.Gpu;

/// <summary>How MIG-capable GPUs are exposed (<c>migStrategy</c>).</summary>
public enum NvidiaMigStrategy
{
    /// <summary>MIG ignored: whole GPUs as <c>nvidia.com/gpu</c> (seed 002).</summary>
    None,
    Single,
    Mixed,
}

/// <summary>How the plugin tells the container runtime which devices a container gets (<c>deviceListStrategy</c>).</summary>
public enum NvidiaDeviceListStrategy
{
    /// <summary><c>NVIDIA_VISIBLE_DEVICES</c> (seed 002; needs <c>runtimeClassName: nvidia</c>).</summary>
    Envvar,
    VolumeMounts,
    CdiAnnotations,
    CdiCri,
}

/// <summary>How devices are named to the runtime (<c>deviceIDStrategy</c>).</summary>
public enum NvidiaDeviceIdStrategy
{
    /// <summary>GPU UUIDs (seed 002): stable across reboots and PCI re-enumeration.</summary>
    Uuid,
    Index,
}

/// <summary>
/// Time-slicing: each GPU is advertised <paramref name="Replicas"/> times, with no memory or fault isolation between
/// the pods that share it. Not for the active chat lane (seed 002 keeps one whole GPU per lane).
/// </summary>
/// <param name="RenameByDefault">Advertise <c>nvidia.com/gpu.shared</c> instead of <c>nvidia.com/gpu</c>.</param>
/// <param name="FailRequestsGreaterThanOne">Refuse pods that ask for more than one shared replica.</param>
public sealed record NvidiaTimeSlicing(int Replicas, bool RenameByDefault = false, bool FailRequestsGreaterThanOne = false);

public sealed record NvidiaDevicePluginArgs
{
    /// <summary>The namespace the DaemonSets go to.</summary>
    public string Namespace { get; init; } = NvidiaDevicePluginChart.Namespace;
    /// <summary>An exact chart version of <see cref="NvidiaDevicePluginChart.Repo"/>.</summary>
    public string ChartVersion { get; init; } = NvidiaDevicePluginChart.Version;
    /// <summary>
    /// The plugin image, pinned: <c>nvcr.io/nvidia/k8s-device-plugin:v0.20.0@sha256:…</c> (tag and digest). Null
    /// leaves the chart's own tag for <see cref="ChartVersion"/>, which a supply-chain policy may refuse.
    /// </summary>
    public ImageRef? Image { get; init; }
    /// <summary>k3s's default runtime is runc; the plugin and GFD need the NVIDIA runtime to see the driver.</summary>
    public string RuntimeClassName { get; init; } = NvidiaRuntime.DefaultName;
    /// <summary>Run GPU Feature Discovery (<c>nvidia.com/gpu.product</c>, <c>.memory</c>, <c>.family</c> labels).</summary>
    public bool GpuFeatureDiscovery { get; init; } = true;
    /// <summary>
    /// Install the chart's own NFD sub-chart. Off by default: llmctl deploys <see cref="NodeFeatureDiscovery"/> once for
    /// every vendor, and NFD's docs warn against parallel copies. Seed 002 ran the sub-chart (on).
    /// </summary>
    public bool NfdSubchart { get; init; }
    /// <summary>Fail loudly when the GPU cannot be initialised (seed 002: quiet partial success is worse).</summary>
    public bool FailOnInitError { get; init; } = true;
    public NvidiaMigStrategy MigStrategy { get; init; } = NvidiaMigStrategy.None;
    public NvidiaDeviceListStrategy DeviceListStrategy { get; init; } = NvidiaDeviceListStrategy.Envvar;
    public NvidiaDeviceIdStrategy DeviceIdStrategy { get; init; } = NvidiaDeviceIdStrategy.Uuid;
    /// <summary>Which nodes run the plugin: the semantic GPU label by default.</summary>
    public IReadOnlyDictionary<string, string> NodeSelector { get; init; } =
        new Dictionary<string, string> { [GpuLabels.Gpu] = "true" };
    /// <summary>Tolerate <c>workload.ai/dedicated=gpu:NoSchedule</c> besides the chart's own tolerations.</summary>
    public bool TolerateDedicatedTaint { get; init; } = true;
    /// <summary>Share each GPU by time-slicing; null (the default) advertises whole GPUs.</summary>
    public NvidiaTimeSlicing? TimeSlicing { get; init; }
}
