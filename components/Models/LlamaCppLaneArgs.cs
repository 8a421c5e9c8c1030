using Llmctl.Components.Images;
using Llmctl.Engine.Config;
using Llmctl.Fit.Lock;

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
    /// <summary>
    /// The GGUF file name under <see cref="LlamaCppLane.GgufDir"/> (<c>Qwen3.6-35B-A3B-UD-Q4_K_M.gguf</c>); required,
    /// except in router mode (<see cref="Router"/>), where the presets name the files and this must be left out.
    /// </summary>
    public string? ModelFile { get; init; }
    /// <summary>The lock entry of <see cref="ModelFile"/>: its sha256 and size go on the Deployment as annotations.</summary>
    public ModelLock? Lock { get; init; }
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
    /// <summary>Keep the expert (MoE FFN) weights of the first N layers on the CPU (<c>--n-cpu-moe N</c>).</summary>
    public int? CpuMoeLayers { get; init; }
    /// <summary>Keep every expert weight on the CPU (<c>--cpu-moe</c>); not together with <see cref="CpuMoeLayers"/>.</summary>
    public bool CpuMoe { get; init; }
    /// <summary>Router mode: no <c>-m</c>; the server loads the presets' models from <see cref="LlamaCppLane.GgufDir"/> on demand.</summary>
    public LlamaCppRouter? Router { get; init; }
    /// <summary>The prefetch Job that puts the lane's locked files on its node; the Deployment waits for it.</summary>
    public ModelPrefetch? Prefetch { get; init; }
    /// <summary>The size limit of the in-memory <c>/dev/shm</c> (seed 002: 8Gi).</summary>
    public Quantity ShmSize { get; init; } = Quantity.Parse("8Gi");
    public int Port { get; init; } = 8080;
    public ComputeResources Resources { get; init; } = new();
    /// <summary>The model cache directory on the node, mounted at <see cref="LlamaCppLane.ModelMountPath"/>.</summary>
    public string ModelHostPath { get; init; } = "/models";
    public string RuntimeClassName { get; init; } = Gpu.NvidiaRuntime.DefaultName;
    /// <summary>How long the model may take to load before the startup probe gives up (big GGUFs take minutes).</summary>
    public TimeSpan ModelLoadBudget { get; init; } = TimeSpan.FromMinutes(15);
    /// <summary>Flags appended after the generated ones.</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];
    /// <summary>GPUs the pod asks for; llama.cpp splits the layers over them (its default <c>--split-mode layer</c>).</summary>
    public int GpuCount { get; init; } = 1;
}

/// <summary>
/// llama.cpp router mode (<c>--models-dir</c>, <c>--models-max</c>, <c>--models-preset</c>): one server, a process per
/// loaded model, least recently used evicted. Each preset is a section of the generated presets INI.
/// </summary>
public sealed record LlamaCppRouter
{
    public required IReadOnlyList<LlamaCppPreset> Presets { get; init; }
    /// <summary>
    /// <c>--models-max</c>: how many models stay loaded at once. llama.cpp's default is 4; one GPU rarely fits more than
    /// one large model, so the lane's default is 1: raise it only with a measured fit.
    /// </summary>
    public int MaxModels { get; init; } = 1;
}

/// <summary>One model of a router-mode lane: an INI section named <see cref="Id"/> (the name clients send as "model").</summary>
public sealed record LlamaCppPreset
{
    public required string Id { get; init; }
    /// <summary>The GGUF file name under <see cref="LlamaCppLane.GgufDir"/>.</summary>
    public required string ModelFile { get; init; }
    public ModelLock? Lock { get; init; }
    /// <summary>The lane's <see cref="LlamaCppLaneArgs.CtxSize"/> when not set; likewise for the cache types, GPU layers and expert offload.</summary>
    public int? CtxSize { get; init; }
    public KvCacheType? CacheTypeK { get; init; }
    public KvCacheType? CacheTypeV { get; init; }
    public int? GpuLayers { get; init; }
    public int? CpuMoeLayers { get; init; }
    public bool? CpuMoe { get; init; }
    /// <summary>Load this model when the server starts (<c>load-on-startup</c>).</summary>
    public bool LoadOnStartup { get; init; }
}
