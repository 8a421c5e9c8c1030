using Llmctl.Engine.Config;
using Llmctl.Stacks.Config;

namespace Llmctl.Stacks.Tests;

/// <summary>Seed 002's first slice as typed records, the way Pulumi.homelab.yaml binds (shared with the policy tests).</summary>
public static class HomelabConfigs
{
    public const string Digest = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    public const string Image = "ghcr.io/ggml-org/llama.cpp:server-cuda@" + Digest;

    private static readonly ResourcesConfig LaneResources = new()
    {
        Requests = new ResourceAmounts { Cpu = Quantity.Parse("8"), Memory = Quantity.Parse("32Gi") },
        Limits = new ResourceAmounts { Cpu = Quantity.Parse("14"), Memory = Quantity.Parse("64Gi") },
    };

    public static LaneConfig Fast => new()
    {
        Name = "qwen36-35b-gguf-fast",
        Runtime = LaneRuntime.LlamaCpp,
        Active = true,
        Node = "gpu-worker",
        Image = Image,
        Model = "Qwen3.6-35B-A3B-UD-Q4_K_M.gguf",
        Alias = "qwen36-35b-gguf-fast",
        CtxSize = 49152,
        CacheTypeK = "q8_0",
        CacheTypeV = "q8_0",
        Parallel = 1,
        Resources = LaneResources,
    };

    public static LaneConfig LongCtx => Fast with
    {
        Name = "qwen36-35b-gguf-longctx",
        Active = false,
        Alias = "qwen36-35b-longctx",
        CtxSize = 131072,
    };

    public static LaneConfig Deep => Fast with
    {
        Name = "qwen36-27b-deep",
        Active = false,
        Model = "Qwen3.6-27B-Q4_K_M.gguf",
        Alias = "qwen36-27b-deep",
        CtxSize = 32768,
    };

    public static StackConfig Homelab(params LaneConfig[] lanes) => new()
    {
        Cluster = new ClusterConfig { Name = "homelab" },
        GpuNodes =
        [
            new GpuNodeConfig
            {
                Name = "gpu-worker",
                Hardware = "rtx-pro-4000-blackwell-sff",
                Cpu = 16,
                Memory = Quantity.Parse("58Gi"),
                ModelDisk = "/models/vllm",
                Labels = new Dictionary<string, string> { ["workload.ai/profile"] = "inference" },
            },
        ],
        Lanes = new LanesConfig { Namespace = "llm", Items = lanes.Length > 0 ? lanes : [Fast, LongCtx, Deep] },
    };
}
