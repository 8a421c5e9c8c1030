using Llmctl.Engine.Config;

namespace Llmctl.Stacks.Config;

// The typed view of a Pulumi.<stack>.yaml. Each record is one section under the project namespace
// (`<project>:cluster`, `<project>:gpu`, `<project>:lanes`, …). Property names are the YAML keys in camelCase;
// `required` members are required keys; everything else has the default shown. Unknown keys, wrong types and bad
// quantities are reported by the binder with file:line:column and the key path.

/// <summary>The whole typed configuration of one stack.</summary>
public sealed record StackConfig
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
}

public sealed record ClusterConfig
{
    /// <summary>The cluster's name, used in resource names and labels.</summary>
    public required string Name { get; init; }
    /// <summary>The Kubernetes distribution (k3s only, for now).</summary>
    public string Distribution { get; init; } = "k3s";
}

/// <summary>A node that carries GPUs.</summary>
public sealed record GpuNodeConfig
{
    public required string Name { get; init; }
    /// <summary>A key of the hardware catalog (<c>rtx-pro-4000-blackwell-sff</c>).</summary>
    public required string Hardware { get; init; }
    public int Cpu { get; init; }
    public Quantity? Memory { get; init; }
    /// <summary>Where the node's model disk is mounted on the host.</summary>
    public string ModelDisk { get; init; } = "/models";
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>
    /// The GPU memory workloads may use, for unified-memory machines where it is a BIOS carve-out (Strix Halo: 94Gi
    /// of 128 GB). Required for such hardware; for discrete cards the catalog's figure is used.
    /// </summary>
    public Quantity? UsableVram { get; init; }
}

public sealed record LanesConfig
{
    public string Namespace { get; init; } = "llm";
    public IReadOnlyList<LaneConfig> Items { get; init; } = [];
}

public enum LaneRuntime
{
    LlamaCpp,
    Ollama,
    Vllm,
}

/// <summary>One model-serving lane. Exactly one lane per GPU node is active; the others are parked at 0 replicas.</summary>
public sealed record LaneConfig
{
    public required string Name { get; init; }
    public required LaneRuntime Runtime { get; init; }
    public bool Active { get; init; }
    /// <summary>The node (a <see cref="GpuNodeConfig.Name"/>) the lane runs on.</summary>
    public required string Node { get; init; }
    /// <summary>The container image, pinned by digest (<c>repo:tag@sha256:…</c>).</summary>
    public required string Image { get; init; }
    /// <summary>
    /// llama.cpp: the model file under the node's GGUF directory (<c>Qwen3.6-35B-A3B-UD-Q4_K_M.gguf</c>); vLLM: the
    /// model path or Hugging Face id.
    /// </summary>
    public required string Model { get; init; }
    /// <summary>An entry of <c>models.lock.yaml</c> (its <c>ref</c>); the lane's Deployment carries the lock's annotations.</summary>
    public string? ModelRef { get; init; }
    /// <summary>vLLM only: the share of GPU memory vLLM may take (<c>--gpu-memory-utilization</c>).</summary>
    public double GpuMemoryUtilization { get; init; } = 0.9;
    /// <summary>The name clients see (<c>--alias</c>).</summary>
    public string? Alias { get; init; }
    public int CtxSize { get; init; }
    public int Parallel { get; init; } = 1;
    public string CacheTypeK { get; init; } = "f16";
    public string CacheTypeV { get; init; } = "f16";
    public int GpuLayers { get; init; } = 999;
    public bool FlashAttn { get; init; } = true;
    public bool Jinja { get; init; } = true;
    public int Port { get; init; } = 8080;
    public ResourcesConfig Resources { get; init; } = new();
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];
}

public sealed record ResourcesConfig
{
    public ResourceAmounts Requests { get; init; } = new();
    public ResourceAmounts Limits { get; init; } = new();
}

public sealed record ResourceAmounts
{
    public Quantity? Cpu { get; init; }
    public Quantity? Memory { get; init; }
}
