namespace Llmctl.Components.Gpu;

public sealed record GpuNodeArgs
{
    /// <summary>The GPUs in the node (its <see cref="NodeGpu.Node"/> is the Kubernetes node name).</summary>
    public required NodeGpu Gpu { get; init; }
    /// <summary>The <c>workload.ai/profile</c> label (<c>inference</c> in seed 002); none when null.</summary>
    public string? Profile { get; init; }
    /// <summary>
    /// Taint the node <c>workload.ai/dedicated=gpu:NoSchedule</c> so only pods that tolerate it (GPU lanes, device
    /// plugins, exporters) land there. On by default: a GPU node is a dedicated node. Turn it off for a machine that
    /// also runs ordinary work (a Strix Halo mini PC that is the whole cluster).
    /// </summary>
    public bool DedicatedTaint { get; init; } = true;
    /// <summary>More labels for the node; they win over the computed semantic labels (e.g. a chosen <c>gpu-tier</c>).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}
