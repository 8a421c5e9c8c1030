using Llmctl.Components.Images;
using Llmctl.Engine.Config;

namespace Llmctl.Components.Models;

/// <summary>CPU and memory for one container; GPUs are not here (a lane always asks for exactly its GPUs, request = limit).</summary>
public sealed record ComputeResources
{
    public Quantity? CpuRequest { get; init; }
    public Quantity? MemoryRequest { get; init; }
    public Quantity? CpuLimit { get; init; }
    public Quantity? MemoryLimit { get; init; }
}

/// <summary>A llama.cpp <c>llama-server</c> lane on one NVIDIA GPU, as seed 002 runs it.</summary>
public sealed record LlamaCppLaneArgs
{
    /// <summary>The namespace of the Deployment and Service (a DNS-1123 label).</summary>
    public required string Namespace { get; init; }
    /// <summary>The server image, pinned by digest.</summary>
    public required ImageRef Image { get; init; }
    /// <summary>The GGUF file name under <see cref="LlamaCppLane.GgufDir"/> (<c>Qwen3.6-35B-A3B-UD-Q4_K_M.gguf</c>).</summary>
    public required string ModelFile { get; init; }
    /// <summary>Context size in tokens; must be set (llama.cpp's 0 means "from the model" and makes VRAM use unpredictable).</summary>
    public required int CtxSize { get; init; }
    /// <summary>The name clients see (<c>--alias</c>); the lane name when not set.</summary>
    public string? Alias { get; init; }
    /// <summary>Active lanes run one replica; parked lanes are declared at zero.</summary>
    public bool Active { get; init; }
    /// <summary>Pins the lane to this node (<c>kubernetes.io/hostname</c>) besides the GPU selector.</summary>
    public string? Node { get; init; }
    public int Parallel { get; init; } = 1;
    public KvCacheType CacheTypeK { get; init; } = KvCacheType.F16;
    public KvCacheType CacheTypeV { get; init; } = KvCacheType.F16;
    public int GpuLayers { get; init; } = 999;
    public bool FlashAttn { get; init; } = true;
    public bool Jinja { get; init; } = true;
    /// <summary>Serve <c>/metrics</c> (<c>--metrics</c>).</summary>
    public bool Metrics { get; init; } = true;
    public int Port { get; init; } = 8080;
    public ComputeResources Resources { get; init; } = new();
    /// <summary>The model cache directory on the node, mounted at <see cref="LlamaCppLane.ModelMountPath"/>.</summary>
    public string ModelHostPath { get; init; } = "/models";
    public string RuntimeClassName { get; init; } = Gpu.NvidiaRuntime.DefaultName;
    /// <summary>How long the model may take to load before the startup probe gives up (big GGUFs take minutes).</summary>
    public TimeSpan ModelLoadBudget { get; init; } = TimeSpan.FromMinutes(15);
    /// <summary>Flags appended after the generated ones.</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];
}
