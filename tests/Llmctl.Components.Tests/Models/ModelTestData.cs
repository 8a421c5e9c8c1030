using Llmctl.Components.Images;
using Llmctl.Components.Models;
using Llmctl.Engine.Model;
using Llmctl.Fit.Lock;

namespace Llmctl.Components.Tests.Models;

/// <summary>Shared inputs for the model component tests. The sha256 and size are made up for the tests, not real.</summary>
internal static class ModelTestData
{
    public const string Digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    public static ModelLock FastModelLock => new()
    {
        Ref = "qwen36-35b-a3b-ud-q4-k-m",
        File = "Qwen3.6-35B-A3B-UD-Q4_K_M.gguf",
        Source = "https://huggingface.co/example/Qwen3.6-35B-A3B-GGUF/resolve/0123abc/Qwen3.6-35B-A3B-UD-Q4_K_M.gguf",
        Sha256 = new string('a', 64),
        SizeBytes = 22_118_000_000,
    };

    public static ModelLock DeepModelLock => new()
    {
        Ref = "qwen36-27b-q4-k-m",
        File = "Qwen3.6-27B-Q4_K_M.gguf",
        Source = "https://huggingface.co/example/Qwen3.6-27B-GGUF/resolve/0123abc/Qwen3.6-27B-Q4_K_M.gguf",
        Sha256 = new string('b', 64),
        SizeBytes = 16_500_000_000,
    };

    public static LlamaCppLaneArgs FastLane => new()
    {
        Namespace = "llm",
        Image = ImageRef.Parse($"ghcr.io/ggml-org/llama.cpp:server-cuda@{Digest}"),
        ModelFile = "Qwen3.6-35B-A3B-UD-Q4_K_M.gguf",
        CtxSize = 49152,
        CacheTypeK = KvCacheType.Q8_0,
        CacheTypeV = KvCacheType.Q8_0,
        Active = true,
        Node = "gpu-worker",
        ModelHostPath = "/models/vllm",
    };

    public static ModelPrefetchArgs Prefetch => new()
    {
        Namespace = "llm",
        Node = "gpu-worker",
        ModelDisk = "/models/vllm",
        Models = [FastModelLock, DeepModelLock],
        Image = ImageRef.Parse($"docker.io/curlimages/curl:8.11.1@{Digest}"),
    };

    public static T Build<T>(Func<T> create) where T : class
    {
        T? built = null;
        StackContext.Run("llm-platform", "homelab", _ => built = create());
        return built!;
    }

    public static ComponentArgumentException Fails(Action create) =>
        Assert.Throws<ComponentArgumentException>(() => StackContext.Run("llm-platform", "homelab", _ => create()));
}
