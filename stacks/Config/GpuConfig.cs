using Llmctl.Engine.Config;

namespace Llmctl.Stacks.Config;

/// <summary>
/// <c>&lt;project&gt;:gpu</c>: the cluster-wide GPU plumbing. The vendor's device plugin goes to the nodes of that
/// vendor (NVIDIA's for NVIDIA nodes, ROCm's for AMD nodes); Node Feature Discovery labels the PCI devices. Absent:
/// nothing is installed and the GPUs must already be advertised (kubelet shows <c>nvidia.com/gpu</c>).
/// </summary>
[ConfigRecord]
public sealed partial record GpuConfig
{
    public DevicePluginConfig DevicePlugin { get; init; } = new();
    public NfdConfig Nfd { get; init; } = new();
}

/// <summary>The vendor device plugin (one Helm release per vendor present in <c>gpuNodes</c>).</summary>
[ConfigRecord]
public sealed partial record DevicePluginConfig
{
    public bool Enabled { get; init; } = true;
    /// <summary>The chart version; null: the version llmctl pins.</summary>
    public string? Version { get; init; }
    /// <summary>The plugin image pinned by digest (<c>repo:tag@sha256:…</c>); null: the chart's default for its version.</summary>
    public string? Image { get; init; }
    /// <summary>NVIDIA only: advertise each card as this many time-sliced replicas (no memory isolation); null: off.</summary>
    public int? TimeSlicing { get; init; }
    /// <summary>NVIDIA only: GPU Feature Discovery (the <c>nvidia.com/gpu.*</c> labels).</summary>
    public bool GpuFeatureDiscovery { get; init; } = true;
    /// <summary>NVIDIA only: fail the plugin when the GPU cannot be initialised, rather than run with no devices.</summary>
    public bool FailOnInitError { get; init; } = true;
}

/// <summary>Node Feature Discovery, installed once for the cluster.</summary>
[ConfigRecord]
public sealed partial record NfdConfig
{
    public bool Enabled { get; init; } = true;
    public string? Version { get; init; }
    public string? Image { get; init; }
}
