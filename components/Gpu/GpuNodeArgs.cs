namespace Llmctl.Components.Gpu;

public sealed record GpuNodeArgs
{
    /// <summary>The GPUs in the node (its <see cref="NodeGpu.Node"/> is the Kubernetes node name).</summary>
    public required NodeGpu Gpu { get; init; }
    /// <summary>The <c>workload.ai/profile</c> label (<c>inference</c> in seed 002); none when null.</summary>
    public string? Profile { get; init; }
    /// <summary>
    /// The GPU taint the node gets (<c>workload.ai/dedicated=gpu</c>): <see cref="GpuTaint.Dedicated"/> (NoSchedule,
    /// the default: only pods that tolerate it — GPU lanes, device plugins, exporters — land there),
    /// <see cref="GpuTaint.Prefer"/> (PreferNoSchedule: other pods go elsewhere when they can) or
    /// <see cref="GpuTaint.None"/>. A cluster whose nodes are all GPU nodes (seed 000's two mini PCs) cannot taint them
    /// all NoSchedule: k3s's helm-install Jobs carry no toleration a HelmChart can set, so no chart would install.
    /// </summary>
    public GpuTaint Taint { get; init; } = GpuTaint.Dedicated;
    /// <summary>More labels for the node; they win over the computed semantic labels (e.g. a chosen <c>gpu-tier</c>).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}

/// <summary>Which GPU taint a GPU node carries.</summary>
public enum GpuTaint
{
    /// <summary><c>workload.ai/dedicated=gpu:NoSchedule</c>.</summary>
    Dedicated,
    /// <summary><c>workload.ai/dedicated=gpu:PreferNoSchedule</c>: a soft preference, never blocks scheduling.</summary>
    Prefer,
    /// <summary>No taint: the node also runs ordinary work.</summary>
    None,
}
