using Llmctl.Engine.Config;
using Llmctl.Engine.Deployment;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Providers;
using Llmctl.Engine.State;
using Llmctl.Stacks;
using Llmctl.Stacks.Config;
using Llmctl.Testing;

namespace Llmctl.Providers.Kubernetes.Tests;

/// <summary>
/// The homelab stack (Pulumi.homelab.yaml as typed records, three lanes on one GPU node, one active) run through
/// the real planner and updater with a <see cref="KubernetesProvider"/> and an in-memory state backend.
/// </summary>
internal sealed class HomelabStack(KubernetesProvider provider)
{
    public const string Project = "llm-platform";
    public const string Stack = "homelab";
    private const string Image = "ghcr.io/ggml-org/llama.cpp:server-cuda@sha256:5268283a8d6510d167364f19aee93e98180d8eb0cac4b7edb20af7e3edf40c17";

    public ProviderRegistry Providers { get; } = new ProviderRegistry().Register(KubernetesProvider.Package, provider);
    public InMemoryBackend Backend { get; } = new();
    public StackCheckpoint Checkpoint { get; private set; } = StackCheckpoint.Empty(Project, Stack);

    public static StackConfig Config()
    {
        var resources = new ResourcesConfig
        {
            Requests = new ResourceAmounts { Cpu = Quantity.Parse("8"), Memory = Quantity.Parse("32Gi") },
            Limits = new ResourceAmounts { Cpu = Quantity.Parse("14"), Memory = Quantity.Parse("64Gi") },
        };
        var fast = new LaneConfig
        {
            Name = "qwen36-35b-gguf-fast", Runtime = LaneRuntime.LlamaCpp, Active = true, Node = "gpu-worker", Image = Image,
            Model = "Qwen3.6-35B-A3B-UD-Q4_K_M.gguf", Alias = "qwen36-35b-fast", CtxSize = 49152, CacheTypeK = "q8_0", CacheTypeV = "q8_0",
            Parallel = 1, Resources = resources,
        };
        return new StackConfig
        {
            Cluster = new ClusterConfig { Name = "homelab" },
            GpuNodes =
            [
                new GpuNodeConfig
                {
                    Name = "gpu-worker", Hardware = "rtx-pro-4000-blackwell-sff", Cpu = 16, Memory = Quantity.Parse("58Gi"), ModelDisk = "/models/vllm",
                    Labels = new Dictionary<string, string> { ["workload.ai/profile"] = "inference" },
                },
            ],
            Lanes = new LanesConfig
            {
                Namespace = "llm",
                Items =
                [
                    fast,
                    fast with { Name = "qwen36-35b-gguf-longctx", Active = false, Alias = "qwen36-35b-longctx", CtxSize = 131072 },
                    fast with { Name = "qwen36-27b-deep", Active = false, Model = "Qwen3.6-27B-Q4_K_M.gguf", Alias = "qwen36-27b-deep", CtxSize = 32768 },
                ],
            },
        };
    }

    public static StackContext Compose(StackConfig config, bool preview = false) =>
        StackPipeline.Compose(Project, Stack, config, isPreview: preview);

    public Task<Plan> PreviewAsync(StackConfig? config = null, ProviderRegistry? providers = null, int concurrency = 16) =>
        StackPipeline.Plan(Compose(config ?? Config(), preview: true), Checkpoint, providers ?? Providers, new PlanOptions { Concurrency = concurrency });

    public async Task<UpdateResult> UpAsync(StackConfig? config = null, CancellationToken ct = default)
    {
        var desired = Compose(config ?? Config());
        var plan = await StackPipeline.Plan(desired, Checkpoint, Providers, cancellationToken: ct);
        var result = await new Updater(Providers, Backend, null).RunAsync(plan, desired, Checkpoint, new UpdateOptions { DefaultTimeout = TimeSpan.FromSeconds(20) }, null, ct);
        Checkpoint = result.Checkpoint;
        return result;
    }

    public async Task<UpdateResult> DestroyAsync()
    {
        var result = await new Updater(Providers, Backend, null).RunAsync(Planner.PlanDestroy(Checkpoint), null, Checkpoint);
        Checkpoint = result.Checkpoint;
        return result;
    }
}
