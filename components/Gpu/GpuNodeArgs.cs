namespace Llmctl.Components.Gpu;

public sealed record GpuNodeArgs
{
    /// <summary>The GPUs in the node (its <see cref="NodeGpu.Node"/> is the Kubernetes node name).</summary>
    public required NodeGpu Gpu { get; init; }
    /// <summary>More labels for the node; they win over the computed semantic labels (e.g. a chosen <c>gpu-tier</c>).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}
