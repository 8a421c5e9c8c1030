using k8s.Models;
using Llmctl.Components.Gpu;
using Llmctl.Components.Images;
using Llmctl.Components.Kubernetes;
using Llmctl.Components.Models;
using Llmctl.Engine.Model;
using Llmctl.Stacks.Config;

namespace Llmctl.Stacks.Compose;

/// <summary>The lanes as composed, by runtime.</summary>
public sealed record LaneLayer(IReadOnlyList<LlamaCppLane> LlamaCpp, IReadOnlyList<VllmLane> Vllm)
{
    public static LaneLayer Empty { get; } = new([], []);

    /// <summary>Every lane's name, whether it is active, and its OpenAI base URL, in stack-file order within a runtime.</summary>
    public IEnumerable<(string Name, bool Active, string Endpoint)> All =>
        LlamaCpp.Select(l => (l.Name, l.Args.Active, l.Endpoint)).Concat(Vllm.Select(l => (l.Name, l.Args.Active, l.Endpoint)));
}

/// <summary>
/// The lanes get a namespace and one component each: <c>llamacpp</c> → <see cref="LlamaCppLane"/>, <c>vllm</c> →
/// <see cref="VllmLane"/>, both on NVIDIA nodes (the CUDA images). A lane's <c>modelRef</c> is looked up in
/// <c>models.lock.yaml</c>. Runtimes not composed here throw rather than being skipped, so a lane in the stack file is
/// never silently missing from the cluster.
/// </summary>
public static class LaneComposer
{
    public static LaneLayer Compose(StackContext ctx, StackConfig config, GpuLayer gpu, ModelLockFile? locks)
    {
        var key = (string path) => $"{ctx.ProjectName}:{path}";
        if (config.Lanes.Items.Count == 0) return LaneLayer.Empty;

        var ns = config.Lanes.Namespace;
        if (KubernetesNames.Dns1123LabelProblem(ns) is { } nsProblem) throw new StackCompositionException(key("lanes.namespace"), nsProblem);
        var laneNamespace = new KubernetesObject<V1Namespace>(ns, new V1Namespace
        {
            Metadata = new V1ObjectMeta { Name = ns, Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "llmctl" } },
        });

        var llamaCpp = new List<LlamaCppLane>();
        var vllm = new List<VllmLane>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.Lanes.Items.Count; i++)
        {
            var lane = config.Lanes.Items[i];
            var at = $"lanes.items[{i}]";
            if (!seen.Add(lane.Name)) throw new StackCompositionException(key($"{at}.name"), $"lane '{lane.Name}' is declared twice; lane names must be unique");
            if (lane.Runtime is not (LaneRuntime.LlamaCpp or LaneRuntime.Vllm))
            {
                throw new StackCompositionException(key($"{at}.runtime"),
                    $"runtime '{lane.Runtime.ToString().ToLowerInvariant()}' is not supported yet; only llamacpp and vllm lanes can be composed today");
            }
            var runtime = lane.Runtime.ToString().ToLowerInvariant();
            if (!gpu.Nodes.TryGetValue(lane.Node, out var node))
            {
                throw new StackCompositionException(key($"{at}.node"),
                    $"lane '{lane.Name}' runs on node '{lane.Node}', which is not in gpuNodes; declare it there or use one of: {string.Join(", ", gpu.Nodes.Keys)}");
            }
            if (node.Hardware.Vendor != GpuVendor.Nvidia || gpu.Nvidia is not { } nvidia)
            {
                throw new StackCompositionException(key($"{at}.node"),
                    $"{runtime} lanes run the CUDA image and need an NVIDIA GPU; node '{lane.Node}' has {node.Hardware.DisplayName} (ROCm/Vulkan lanes are not supported yet)");
            }
            if (!ImageRef.TryParse(lane.Image, out var image, out var imageError)) throw new StackCompositionException(key($"{at}.image"), imageError);
            var modelLock = Lock(lane, locks, key($"{at}.modelRef"));
            var resources = new ComputeResources
            {
                CpuRequest = lane.Resources.Requests.Cpu,
                MemoryRequest = lane.Resources.Requests.Memory,
                CpuLimit = lane.Resources.Limits.Cpu,
                MemoryLimit = lane.Resources.Limits.Memory,
            };
            var options = new ComponentResourceOptions { DependsOn = [laneNamespace, nvidia, .. gpu.DevicePlugins] };

            if (lane.Runtime == LaneRuntime.Vllm)
            {
                vllm.Add(new VllmLane(lane.Name, new VllmLaneArgs
                {
                    Namespace = ns,
                    Image = image,
                    Model = lane.Model,
                    MaxModelLen = lane.CtxSize,
                    ServedModelName = lane.Alias,
                    Active = lane.Active,
                    Node = lane.Node,
                    GpuMemoryUtilization = lane.GpuMemoryUtilization,
                    Port = lane.Port,
                    ModelHostPath = node.Config.ModelDisk,
                    RuntimeClassName = nvidia.RuntimeClassName,
                    Resources = resources,
                    Lock = modelLock,
                    ExtraArgs = lane.ExtraArgs,
                }, options));
                continue;
            }

            llamaCpp.Add(new LlamaCppLane(lane.Name, new LlamaCppLaneArgs
            {
                Namespace = ns,
                Image = image,
                ModelFile = lane.Model,
                Lock = modelLock,
                Alias = lane.Alias,
                CtxSize = lane.CtxSize,
                Active = lane.Active,
                Node = lane.Node,
                Parallel = lane.Parallel,
                CacheTypeK = CacheType(lane.CacheTypeK, key($"{at}.cacheTypeK")),
                CacheTypeV = CacheType(lane.CacheTypeV, key($"{at}.cacheTypeV")),
                GpuLayers = lane.GpuLayers,
                FlashAttn = lane.FlashAttn,
                Jinja = lane.Jinja,
                Port = lane.Port,
                ModelHostPath = node.Config.ModelDisk,
                RuntimeClassName = nvidia.RuntimeClassName,
                Resources = resources,
                ExtraArgs = lane.ExtraArgs,
            }, options));
        }
        return new LaneLayer(llamaCpp, vllm);
    }

    private static ModelLock? Lock(LaneConfig lane, ModelLockFile? locks, string keyPath)
    {
        if (lane.ModelRef is not { } modelRef) return null;
        if (locks is null)
        {
            throw new StackCompositionException(keyPath, $"lane '{lane.Name}' names model '{modelRef}', but there is no {ModelLockFile.DefaultFileName} beside Pulumi.yaml; add one or leave modelRef out");
        }
        return locks.TryFind(modelRef) ?? throw new StackCompositionException(keyPath,
            $"'{modelRef}' is not in {locks.Path}; use one of: {string.Join(", ", locks.Models.Select(m => m.Ref))}");
    }

    private static KvCacheType CacheType(string text, string keyPath) =>
        KvCacheTypes.TryParse(text, out var type)
            ? type.Value
            : throw new StackCompositionException(keyPath, $"'{text}' is not a llama.cpp KV cache type; use one of {string.Join(", ", KvCacheTypes.Flags)}");
}
