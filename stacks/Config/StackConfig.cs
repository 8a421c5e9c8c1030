using Llmctl.Engine.Config;

namespace Llmctl.Stacks.Config;

// The typed view of a Pulumi.<stack>.yaml. Each record is one section under the project namespace
// (`<project>:cluster`, `<project>:gpu`, `<project>:lanes`, …). Property names are the YAML keys in camelCase;
// `required` members are required keys; everything else has the default shown. Unknown keys, wrong types and bad
// quantities are reported by the binder with file:line:column and the key path. Every record is [ConfigRecord] and
// partial: the binder reads its generated shape, not reflection (Native AOT trims the metadata); a record reached from
// here without the marker fails the build (LLMCFG003).

/// <summary>The whole typed configuration of one stack.</summary>
[ConfigRecord]
public sealed partial record StackConfig
{
    public required ClusterConfig Cluster { get; init; }
    public IReadOnlyList<GpuNodeConfig> GpuNodes { get; init; } = [];
    public LanesConfig Lanes { get; init; } = new();
    /// <summary>The tailnet the cluster is joined over; null when llmctl does not manage it.</summary>
    public TailnetConfig? Tailnet { get; init; }
    /// <summary>The k3s cluster llmctl installs over SSH; null when the cluster already exists.</summary>
    public K3sConfig? K3s { get; init; }
    /// <summary>Device plugins and Node Feature Discovery; null when the cluster already advertises its GPUs.</summary>
    public GpuConfig? Gpu { get; init; }
    /// <summary>The LiteLLM gateway in front of the lanes; null: no gateway.</summary>
    public GatewayConfig? Gateway { get; init; }
    /// <summary>Prometheus, Grafana, the GPU exporter, scrape targets, alerts and dashboards; null: none.</summary>
    public ObservabilityConfig? Observability { get; init; }
    /// <summary>cert-manager, a DNS-01 webhook and a Let's Encrypt ClusterIssuer; null: none.</summary>
    public CertificatesConfig? Certificates { get; init; }
}

[ConfigRecord]
public sealed partial record ClusterConfig
{
    /// <summary>The cluster's name, used in resource names and labels.</summary>
    public required string Name { get; init; }
    /// <summary>The Kubernetes distribution (k3s only, for now).</summary>
    public string Distribution { get; init; } = "k3s";
}

/// <summary>A node that carries GPUs.</summary>
[ConfigRecord]
public sealed partial record GpuNodeConfig
{
    public required string Name { get; init; }
    /// <summary>
    /// A key of the hardware catalog (<c>rtx-pro-4000-blackwell-sff</c>), a convenience: <see cref="Gpus"/> overrides
    /// what differs, or declares hardware the catalog does not know. One of the two is needed.
    /// </summary>
    public string? Hardware { get; init; }
    /// <summary>The node's GPUs declared inline (vendor, model, count, memory per GPU, family, unified memory).</summary>
    public GpuSpecConfig? Gpus { get; init; }
    public int Cpu { get; init; }
    public Quantity? Memory { get; init; }
    /// <summary>
    /// What the kubelet offers to pods (<c>kubectl describe node</c> → Allocatable: capacity minus system reserves);
    /// the node-budget policy fits every request into it. Default: <see cref="Cpu"/> and <see cref="Memory"/>.
    /// </summary>
    public ResourceAmounts? Allocatable { get; init; }
    /// <summary>Where the node's model disk is mounted on the host.</summary>
    public string ModelDisk { get; init; } = "/models";
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>
    /// The GPU memory workloads may use, for unified-memory machines where it is a BIOS carve-out (Strix Halo: 94Gi
    /// of 128 GB). Required for such hardware; for discrete cards the catalog's figure is used. A declared value is
    /// taken as given, even above the catalog's figure (a 48 GB modded 3090).
    /// </summary>
    public Quantity? UsableVram { get; init; }
    /// <summary>
    /// The node's GPU taint: <c>dedicated</c> (<c>workload.ai/dedicated=gpu:NoSchedule</c>, the default), <c>prefer</c>
    /// (PreferNoSchedule) or <c>none</c>. A cluster made only of GPU nodes must leave at least one node without a
    /// NoSchedule taint: k3s's helm-install Jobs tolerate none of ours.
    /// </summary>
    public Components.Gpu.GpuTaint Taint { get; init; } = Components.Gpu.GpuTaint.Dedicated;
}

/// <summary>
/// <c>gpuNodes[].gpus</c>: the GPUs of a node, declared in the stack file. With <c>hardware</c> it overrides the catalog
/// entry's values; without it, vendor, model and memory are required.
/// </summary>
[ConfigRecord]
public sealed partial record GpuSpecConfig
{
    /// <summary><c>nvidia</c> or <c>amd</c>.</summary>
    public string? Vendor { get; init; }
    /// <summary>The product name (<c>NVIDIA RTX A6000</c>).</summary>
    public string? Model { get; init; }
    /// <summary>The <c>workload.ai/gpu-model</c> label value; default: the catalog key, or the model name in lowercase with '-' for other characters.</summary>
    public string? Key { get; init; }
    /// <summary>How many GPUs the node has (each runs one single-GPU lane, or several make one tensor-split lane).</summary>
    public int? Count { get; init; }
    /// <summary>Memory per GPU as <c>nvidia-smi memory.total</c> reports it (<c>48Gi</c>, <c>24467Mi</c>).</summary>
    public Quantity? Memory { get; init; }
    /// <summary>The architecture family (<c>ampere</c>, <c>blackwell</c>, <c>rdna3.5</c>).</summary>
    public string? Family { get; init; }
    /// <summary>The GPU shares system memory (then <c>usableVram</c> gives the carve-out).</summary>
    public bool? UnifiedMemory { get; init; }
    /// <summary>Unified memory only: the GTT the GPU may map beyond the carve-out (ROCm counts it, Vulkan does not).</summary>
    public Quantity? Gtt { get; init; }
    /// <summary><c>support</c> or <c>big</c> (the <c>workload.ai/gpu-tier</c> label).</summary>
    public string? Tier { get; init; }
}

[ConfigRecord]
public sealed partial record LanesConfig
{
    public string Namespace { get; init; } = "llm";
    public IReadOnlyList<LaneConfig> Items { get; init; } = [];
    /// <summary>
    /// When set, a prefetch Job per GPU node downloads and verifies the locked files of its llama.cpp lanes onto the
    /// model disk, and those lanes wait for it. Every such lane must then name a locked <c>modelRef</c>.
    /// </summary>
    public PrefetchConfig? Prefetch { get; init; }
}

/// <summary>The model prefetch: the small image with <c>curl</c> and <c>sha256sum</c> that does the download.</summary>
[ConfigRecord]
public sealed partial record PrefetchConfig
{
    /// <summary>Pinned by digest, e.g. <c>docker.io/curlimages/curl:8.11.1@sha256:…</c>.</summary>
    public required string Image { get; init; }
}

public enum LaneRuntime
{
    LlamaCpp,
    Ollama,
    Vllm,
}

/// <summary>
/// One model-serving lane. llama.cpp and vLLM lanes run on one <see cref="Node"/>, and exactly one lane per GPU node is
/// active (the others are parked at 0 replicas). An Ollama lane runs on every node of <see cref="Nodes"/> with
/// identical settings (one otwld/ollama release per node) and is always active.
/// </summary>
[ConfigRecord]
public sealed partial record LaneConfig
{
    public required string Name { get; init; }
    public required LaneRuntime Runtime { get; init; }
    public bool Active { get; init; }
    /// <summary>llamacpp and vllm: the node (a <see cref="GpuNodeConfig.Name"/>) the lane runs on.</summary>
    public string? Node { get; init; }
    /// <summary>ollama: the nodes (<see cref="GpuNodeConfig.Name"/>s) that each run one identical release.</summary>
    public IReadOnlyList<string> Nodes { get; init; } = [];
    /// <summary>
    /// ollama: the release (and Service) name per node; a node not listed gets <c>&lt;lane&gt;-&lt;node&gt;</c>. Seed 000
    /// names them <c>ollama</c> and <c>ollama-bosgame</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> ServiceNames { get; init; } = new Dictionary<string, string>();
    /// <summary>ollama: models pulled when the container starts (<c>gemma4:e4b</c>).</summary>
    public IReadOnlyList<string> Pull { get; init; } = [];
    /// <summary>ollama: <c>OLLAMA_KEEP_ALIVE</c> (<c>1h</c>, <c>30m</c>, seconds, or <c>-1</c>).</summary>
    public string KeepAlive { get; init; } = "1h";
    /// <summary>ollama: <c>OLLAMA_MAX_LOADED_MODELS</c>.</summary>
    public int MaxLoadedModels { get; init; } = 1;
    /// <summary>ollama: <c>OLLAMA_KV_CACHE_TYPE</c> (f16, q8_0 or q4_0).</summary>
    public string KvCacheType { get; init; } = "f16";
    /// <summary>ollama: the persistent volume each release keeps its models on.</summary>
    public Quantity VolumeSize { get; init; } = Quantity.Parse("120Gi");
    public string? StorageClass { get; init; }
    /// <summary>The container image, pinned by digest (<c>repo:tag@sha256:…</c>).</summary>
    public required string Image { get; init; }
    /// <summary>
    /// llama.cpp: the model file under the node's GGUF directory (<c>Qwen3.6-35B-A3B-UD-Q4_K_M.gguf</c>); vLLM: the
    /// model path or Hugging Face id. Required for both; ollama lanes name their models in <see cref="Pull"/>.
    /// </summary>
    public string? Model { get; init; }
    /// <summary>An entry of <c>models.lock.yaml</c> (its <c>ref</c>); the lane's Deployment carries the lock's annotations.</summary>
    public string? ModelRef { get; init; }
    /// <summary>vLLM only: the share of GPU memory vLLM may take (<c>--gpu-memory-utilization</c>).</summary>
    public double GpuMemoryUtilization { get; init; } = 0.9;
    /// <summary>The name clients see (<c>--alias</c>).</summary>
    public string? Alias { get; init; }
    /// <summary>The context length (llama.cpp <c>--ctx-size</c>, vLLM <c>--max-model-len</c>, <c>OLLAMA_CONTEXT_LENGTH</c>).</summary>
    public int CtxSize { get; init; }
    /// <summary>Parallel requests (llama.cpp <c>--parallel</c>, <c>OLLAMA_NUM_PARALLEL</c>).</summary>
    public int Parallel { get; init; } = 1;
    public string CacheTypeK { get; init; } = "f16";
    public string CacheTypeV { get; init; } = "f16";
    public int GpuLayers { get; init; } = 999;
    public bool FlashAttn { get; init; } = true;
    public bool Jinja { get; init; } = true;
    /// <summary>The container port; null: 8080 (llama.cpp, vLLM) or 11434 (ollama).</summary>
    public int? Port { get; init; }
    public ResourcesConfig Resources { get; init; } = new();
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];
    /// <summary>
    /// Marks the lane's profile known broken, with the reason (seed 002: the NVFP4 checkpoint fails with an
    /// lm_head.input_scale mismatch); the known-broken policy refuses to activate it. Null: not known broken.
    /// </summary>
    public string? Broken { get; init; }
    /// <summary>
    /// llamacpp and vllm: the GPUs the lane asks for. llama.cpp splits the layers over them (its default
    /// <c>--split-mode layer</c>); vLLM uses them for <c>--tensor-parallel-size</c>.
    /// </summary>
    public int Gpus { get; init; } = 1;
    /// <summary>llamacpp: keep every routed-expert tensor in host memory (<c>--cpu-moe</c>).</summary>
    public bool CpuMoe { get; init; }
    /// <summary>llamacpp: keep the routed-expert tensors of the first N layers in host memory (<c>--n-cpu-moe N</c>).</summary>
    public int? NCpuMoe { get; init; }
    /// <summary>llamacpp: router mode (no <c>model</c>; the presets name the files and <c>modelsMax</c> caps what is loaded at once).</summary>
    public LlamaCppRouterConfig? Router { get; init; }
    /// <summary>ollama: the lock entry (<c>models.lock.yaml</c> ref) of each pulled model, for the VRAM estimate.</summary>
    public IReadOnlyDictionary<string, string> ModelRefs { get; init; } = new Dictionary<string, string>();
}

/// <summary>llama.cpp router mode (<c>--models-preset</c>, <c>--models-max</c>).</summary>
[ConfigRecord]
public sealed partial record LlamaCppRouterConfig
{
    /// <summary><c>--models-max</c>: models loaded at once (the estimate sums the largest this-many presets).</summary>
    public int ModelsMax { get; init; } = 1;
    public IReadOnlyList<LlamaCppPresetConfig> Presets { get; init; } = [];
}

/// <summary>One router preset; unset values are the lane's.</summary>
[ConfigRecord]
public sealed partial record LlamaCppPresetConfig
{
    /// <summary>The name clients send as "model".</summary>
    public required string Id { get; init; }
    /// <summary>The GGUF file under the node's GGUF directory.</summary>
    public required string Model { get; init; }
    public string? ModelRef { get; init; }
    public int? CtxSize { get; init; }
    public string? CacheTypeK { get; init; }
    public string? CacheTypeV { get; init; }
    public int? GpuLayers { get; init; }
    public bool? CpuMoe { get; init; }
    public int? NCpuMoe { get; init; }
    public bool LoadOnStartup { get; init; }
}

[ConfigRecord]
public sealed partial record ResourcesConfig
{
    public ResourceAmounts Requests { get; init; } = new();
    public ResourceAmounts Limits { get; init; } = new();
}

[ConfigRecord]
public sealed partial record ResourceAmounts
{
    public Quantity? Cpu { get; init; }
    public Quantity? Memory { get; init; }
}
