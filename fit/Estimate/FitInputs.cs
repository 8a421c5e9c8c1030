namespace Llmctl.Fit.Estimate;

/// <summary>The server that loads the model; each sizes context and reserves memory its own way.</summary>
public enum FitRuntime
{
    LlamaCpp,
    Ollama,
    Vllm,
}

/// <summary>The GPU API the server runs on; it decides the per-process overhead outside the model.</summary>
public enum GpuBackend
{
    Cuda,
    Rocm,
    Vulkan,
    Metal,
}

/// <summary>
/// The GPU memory a lane gets: <see cref="Count"/> GPUs of <see cref="MiBPerGpu"/> each (what <c>nvidia-smi</c>
/// <c>memory.total</c> reports, or the BIOS carve-out of a unified-memory machine). On a unified-memory machine
/// <see cref="GttMiB"/> is the dynamic GTT the GPU may map beyond the carve-out (ROCm counts it; Vulkan does not).
/// </summary>
public sealed record FitGpu
{
    /// <summary>How the GPU is named in output (<c>NVIDIA RTX PRO 4000 Blackwell SFF Edition</c>, or <c>24467 MiB</c>).</summary>
    public required string Name { get; init; }
    public required long MiBPerGpu { get; init; }
    public int Count { get; init; } = 1;
    public GpuBackend Backend { get; init; } = GpuBackend.Cuda;
    public bool UnifiedMemory { get; init; }
    public long? GttMiB { get; init; }

    /// <summary>What one device offers the lane: the carve-out, plus GTT when the backend maps it (ROCm on a unified machine).</summary>
    public long BudgetPerGpuMiB => MiBPerGpu + (UnifiedMemory && Backend == GpuBackend.Rocm ? GttMiB ?? 0 : 0);
}

/// <summary>
/// A lane's settings as the estimator reads them, in llama.cpp's terms. <see cref="CtxSize"/> is llama.cpp's
/// <c>-c</c> (the total across slots), Ollama's <c>num_ctx</c> (per slot) or vLLM's <c>--max-model-len</c>.
/// </summary>
public sealed record FitSettings
{
    public FitRuntime Runtime { get; init; } = FitRuntime.LlamaCpp;
    /// <summary>0: the model's trained context (llama.cpp's <c>-c 0</c>).</summary>
    public int CtxSize { get; init; }
    /// <summary><c>-np</c> / <c>OLLAMA_NUM_PARALLEL</c>: slots (sequences).</summary>
    public int Parallel { get; init; } = 1;
    /// <summary><c>-kvu</c>; null: llama-server's rule (an explicit <c>-np</c> leaves the KV cache split per slot).</summary>
    public bool? KvUnified { get; init; }
    public CacheType CacheTypeK { get; init; } = CacheType.F16;
    public CacheType CacheTypeV { get; init; } = CacheType.F16;
    public bool FlashAttention { get; init; } = true;
    /// <summary><c>-ngl</c>; 999 (or anything above the block count) offloads every layer.</summary>
    public int GpuLayers { get; init; } = 999;
    /// <summary><c>--cpu-moe</c>: every routed-expert tensor stays in host memory.</summary>
    public bool CpuMoe { get; init; }
    /// <summary><c>--n-cpu-moe N</c>: the routed-expert tensors of the first N blocks stay in host memory.</summary>
    public int NCpuMoe { get; init; }
    /// <summary><c>-ot pattern=BUFT</c> entries; a pattern whose target is <c>CPU</c> keeps matching tensors in host memory.</summary>
    public IReadOnlyList<string> OverrideTensors { get; init; } = [];
    public int UBatch { get; init; } = 512;
    public int Batch { get; init; } = 2048;
    /// <summary><c>--swa-full</c>: sliding-window layers get full-size caches.</summary>
    public bool SwaFull { get; init; }
    /// <summary>
    /// Which <c>-ngl</c> rule the llama.cpp build uses. True (current builds, reference/vram_fit.md §3.1): the output
    /// layer counts inside <c>-ngl</c> and is offloaded first (<c>i_gpu_start = max(n_layer + 1 - ngl, 0)</c>). False
    /// (older builds such as b6895, the one in tools/fit-params/README.md): the last N blocks first
    /// (<c>i_gpu_start = max(n_layer - ngl, 0)</c>), the output layer only when N exceeds the block count.
    /// </summary>
    public bool NglCountsOutputFirst { get; init; } = true;
    /// <summary>
    /// Logit rows the compute graph is reserved for; null: the runtime's rule — llama-server reserves
    /// min(n_batch, n_parallel), llama.cpp used as a library (Ollama's runner, llama-bench, llama-fit-params) the whole ubatch.
    /// </summary>
    public int? ReservedOutputs { get; init; }
    /// <summary>vLLM only: <c>--gpu-memory-utilization</c>.</summary>
    public double GpuMemoryUtilization { get; init; } = 0.9;
    /// <summary>vLLM only: <c>--tensor-parallel-size</c> is the lane's GPU count; the KV dtype is <see cref="CacheTypeK"/>.</summary>
    public int BlockSize { get; init; } = 16;
}

/// <summary>One model loaded by one server process: what co-resides on a GPU.</summary>
public sealed record FitLoad(string Name, ModelFactsRef Model, FitSettings Settings);

/// <summary>A model's facts with the name they were found under (a lock ref, a file, an Ollama tag).</summary>
public sealed record ModelFactsRef(string Name, Facts.ModelFacts Facts);
