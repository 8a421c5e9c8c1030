using k8s.Models;
using Llmctl.Components.Gpu;
using Llmctl.Components.Images;
using Llmctl.Components.Kubernetes;
using Llmctl.Components.Models;
using Llmctl.Engine.Model;
using Llmctl.Stacks.Config;
using Llmctl.Fit.Lock;

namespace Llmctl.Stacks.Compose;

/// <summary>The lanes as composed, by runtime.</summary>
public sealed record LaneLayer(IReadOnlyList<LlamaCppLane> LlamaCpp, IReadOnlyList<VllmLane> Vllm, IReadOnlyList<OllamaLane> Ollama)
{
    public static LaneLayer Empty { get; } = new([], [], []);

    /// <summary>
    /// Every lane's name, whether it is active, and its OpenAI base URL (an Ollama lane's first node's), in stack-file
    /// order within a runtime.
    /// </summary>
    public IEnumerable<(string Name, bool Active, string Endpoint)> All =>
        LlamaCpp.Select(l => (l.Name, l.Args.Active, l.Endpoint))
            .Concat(Vllm.Select(l => (l.Name, l.Args.Active, l.Endpoint)))
            .Concat(Ollama.Select(l => (l.Name, true, l.Endpoint)));
}

/// <summary>
/// The lanes get a namespace and one component each: <c>llamacpp</c> → <see cref="LlamaCppLane"/>, <c>vllm</c> →
/// <see cref="VllmLane"/>, both on NVIDIA nodes (the CUDA images); <c>ollama</c> → <see cref="OllamaLane"/>, one
/// release per listed node, on nodes of one GPU vendor (the image must match it). A lane's <c>modelRef</c> is looked up in
/// <c>models.lock.yaml</c>. Runtimes not composed here throw rather than being skipped, so a lane in the stack file is
/// never silently missing from the cluster.
/// </summary>
public static class LaneComposer
{
    /// <summary>
    /// Lane component arguments whose config key differs (the rest are named alike: <c>ctxSize</c>, <c>image</c>); see
    /// <see cref="CompositionProblems.Try{T}"/>.
    /// </summary>
    private static readonly Dictionary<string, string> LaneArguments = new(StringComparer.Ordinal)
    {
        ["modelFile"] = "model",
        ["lock"] = "modelRef",
        ["maxModelLen"] = "ctxSize",
        ["contextLength"] = "ctxSize",
        ["servedModelName"] = "alias",
        ["numParallel"] = "parallel",
        ["gpuCount"] = "gpus",
        ["tensorParallelSize"] = "gpus",
        ["cpuMoeLayers"] = "nCpuMoe",
        ["releaseNames"] = "serviceNames",
        ["volume"] = "volumeSize",
        ["namespace"] = "/lanes.namespace",
        ["prefetch"] = "/lanes.prefetch",
    };

    /// <summary>Every lane is composed even when one fails, so <paramref name="problems"/> holds all of them.</summary>
    public static LaneLayer Compose(StackContext ctx, StackConfig config, GpuLayer gpu, ModelLockFile? locks, CompositionProblems problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var key = (string path) => $"{ctx.ProjectName}:{path}";
        if (config.Lanes.Items.Count == 0) return LaneLayer.Empty;

        var ns = config.Lanes.Namespace;
        if (KubernetesNames.Dns1123LabelProblem(ns) is { } nsProblem) throw new StackCompositionException(key("lanes.namespace"), nsProblem);
        var laneNamespace = new KubernetesObject<V1Namespace>(ns, new V1Namespace
        {
            Metadata = new V1ObjectMeta { Name = ns, Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "llmctl" } },
        });

        var prefetches = problems.Try("lanes.prefetch", () => Prefetches(config, gpu, locks, ns, laneNamespace, key), LaneArguments)
            ?? new Dictionary<string, ModelPrefetch>(StringComparer.Ordinal);
        var llamaCpp = new List<LlamaCppLane>();
        var vllm = new List<VllmLane>();
        var ollama = new List<OllamaLane>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.Lanes.Items.Count; i++)
        {
            var lane = config.Lanes.Items[i];
            var at = $"lanes.items[{i}]";
            problems.Try(at, () => ComposeLane(lane, at), LaneArguments);
        }
        return new LaneLayer(llamaCpp, vllm, ollama);

        void ComposeLane(LaneConfig lane, string at)
        {
            if (!seen.Add(lane.Name)) throw new StackCompositionException(key($"{at}.name"), $"lane '{lane.Name}' is declared twice; lane names must be unique");
            if (lane.Runtime == LaneRuntime.Ollama)
            {
                ollama.Add(Ollama(lane, at, ns, gpu, laneNamespace, key));
                return;
            }
            var runtime = lane.Runtime.ToString().ToLowerInvariant();
            if (lane.Node is null) throw new StackCompositionException(key($"{at}.node"), $"{runtime} lane '{lane.Name}' names no node");
            if (lane.Model is null && (lane.Router is null || lane.Runtime != LaneRuntime.LlamaCpp)) throw new StackCompositionException(key($"{at}.model"), $"{runtime} lane '{lane.Name}' names no model");
            if (!gpu.Nodes.TryGetValue(lane.Node, out var node))
            {
                throw new StackCompositionException(key($"{at}.node"), UnknownNode(lane.Name, lane.Node, gpu));
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
                vllm.Add(Broken(lane, new VllmLane(lane.Name, new VllmLaneArgs
                {
                    Namespace = ns,
                    Image = image,
                    Model = lane.Model!,
                    TensorParallelSize = lane.Gpus,
                    MaxModelLen = lane.CtxSize,
                    ServedModelName = lane.Alias,
                    Active = lane.Active,
                    Node = lane.Node,
                    GpuMemoryUtilization = lane.GpuMemoryUtilization,
                    Port = lane.Port ?? 8080,
                    ModelHostPath = node.Config.ModelDisk,
                    RuntimeClassName = nvidia.RuntimeClassName,
                    Resources = resources,
                    Lock = modelLock,
                    ExtraArgs = lane.ExtraArgs,
                }, options), l => l.Deployment));
                return;
            }

            llamaCpp.Add(Broken(lane, new LlamaCppLane(lane.Name, new LlamaCppLaneArgs
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
                Port = lane.Port ?? 8080,
                ModelHostPath = node.Config.ModelDisk,
                RuntimeClassName = nvidia.RuntimeClassName,
                Resources = resources,
                ExtraArgs = lane.ExtraArgs,
                Prefetch = modelLock is { IsLocked: true } ? prefetches.GetValueOrDefault(lane.Node) : null,
                GpuCount = lane.Gpus,
                CpuMoe = lane.CpuMoe,
                CpuMoeLayers = lane.NCpuMoe,
                Router = Router(lane, at, locks, key),
            }, options), l => l.Deployment));
        }
    }

    /// <summary>A lane the stack marks broken carries the reason on its Deployment, for the known-broken policy.</summary>
    private static T Broken<T>(LaneConfig lane, T component, Func<T, Resource> deployment)
    {
        if (!string.IsNullOrWhiteSpace(lane.Broken)) deployment(component).Annotate(new KnownBroken(lane.Broken));
        return component;
    }

    /// <summary>
    /// One prefetch Job per GPU node that has llama.cpp lanes, downloading exactly their locked files (<c>lanes.prefetch</c>).
    /// A lane without a locked <c>modelRef</c> is left out: the prefetch never fetches what is not pinned by sha256 and size.
    /// </summary>
    private static Dictionary<string, ModelPrefetch> Prefetches(StackConfig config, GpuLayer gpu, ModelLockFile? locks, string ns, Resource laneNamespace, Func<string, string> key)
    {
        var result = new Dictionary<string, ModelPrefetch>(StringComparer.Ordinal);
        if (config.Lanes.Prefetch is not { } prefetch) return result;
        if (!ImageRef.TryParse(prefetch.Image, out var image, out var imageError)) throw new StackCompositionException(key("lanes.prefetch.image"), imageError);
        var byNode = new Dictionary<string, List<ModelLock>>(StringComparer.Ordinal);
        var listed = new HashSet<(string Node, string Ref)>();
        for (var i = 0; i < config.Lanes.Items.Count; i++)
        {
            var lane = config.Lanes.Items[i];
            if (lane.Runtime != LaneRuntime.LlamaCpp || lane.Node is null) continue;
            var at = $"lanes.items[{i}].modelRef";
            // The prefetch downloads only what is pinned by sha256 and size. A lane without a locked file is left out
            // of it, and the model-locks policy reports that lane (unlocked, or not prefetched) at the stack's level.
            if (Lock(lane, locks, key(at)) is not { IsLocked: true } modelLock) continue;
            var list = byNode.TryGetValue(lane.Node, out var l) ? l : byNode[lane.Node] = [];
            if (listed.Add((lane.Node, modelLock.Ref))) list.Add(modelLock);
        }
        foreach (var (nodeName, models) in byNode)
        {
            if (!gpu.Nodes.TryGetValue(nodeName, out var node)) continue; // the lane loop reports the unknown node
            result[nodeName] = new ModelPrefetch($"prefetch-{nodeName}", new ModelPrefetchArgs
            {
                Namespace = ns,
                Node = nodeName,
                ModelDisk = node.Config.ModelDisk,
                Models = models,
                Image = image,
            }, new ComponentResourceOptions { DependsOn = [laneNamespace] });
        }
        return result;
    }

    private static OllamaLane Ollama(LaneConfig lane, string at, string ns, GpuLayer gpu, Resource laneNamespace, Func<string, string> key)
    {
        if (lane.Nodes.Count == 0) throw new StackCompositionException(key($"{at}.nodes"), $"ollama lane '{lane.Name}' names no nodes; list the GPU nodes that each run one release");
        var vendors = new HashSet<GpuVendor>();
        for (var n = 0; n < lane.Nodes.Count; n++)
        {
            if (!gpu.Nodes.TryGetValue(lane.Nodes[n], out var node))
            {
                throw new StackCompositionException(key($"{at}.nodes[{n}]"), UnknownNode(lane.Name, lane.Nodes[n], gpu));
            }
            vendors.Add(node.Hardware.Vendor);
        }
        if (vendors.Count != 1)
        {
            throw new StackCompositionException(key($"{at}.nodes"), $"lane '{lane.Name}' mixes GPU vendors ({string.Join(", ", vendors)}); one image serves one vendor, so give each vendor its own lane");
        }
        var vendor = vendors.Single();
        if (vendor == GpuVendor.Nvidia && gpu.Nvidia is null) throw new StackCompositionException(key($"{at}.nodes"), "NVIDIA lanes need the nvidia RuntimeClass");
        if (!ImageRef.TryParse(lane.Image, out var image, out var imageError)) throw new StackCompositionException(key($"{at}.image"), imageError);
        var dependsOn = new List<Resource> { laneNamespace };
        if (vendor == GpuVendor.Nvidia) dependsOn.Add(gpu.Nvidia!);
        dependsOn.AddRange(gpu.DevicePlugins);
        var args = new OllamaLaneArgs
        {
            Namespace = ns,
            Nodes = lane.Nodes,
            ReleaseNames = lane.ServiceNames,
            Image = image,
            ContextLength = lane.CtxSize,
            Pull = lane.Pull,
            Gpu = vendor,
            NumParallel = lane.Parallel,
            MaxLoadedModels = lane.MaxLoadedModels,
            KeepAlive = lane.KeepAlive,
            FlashAttention = lane.FlashAttn,
            KvCacheType = KvCacheTypes.TryParse(lane.KvCacheType, out var kv) ? kv.Value
                : throw new StackCompositionException(key($"{at}.kvCacheType"), $"'{lane.KvCacheType}' is not a KV cache type; Ollama takes f16, q8_0 or q4_0"),
            Volume = new OllamaVolume { Size = lane.VolumeSize, StorageClass = lane.StorageClass },
            Resources = new ComputeResources
            {
                CpuRequest = lane.Resources.Requests.Cpu,
                MemoryRequest = lane.Resources.Requests.Memory,
                CpuLimit = lane.Resources.Limits.Cpu,
                MemoryLimit = lane.Resources.Limits.Memory,
            },
            Port = lane.Port ?? 11434,
        };
        if (gpu.Nvidia is { } nvidia) args = args with { RuntimeClassName = nvidia.RuntimeClassName };
        // Argument problems (a non-ROCm tag on AMD nodes, no context length) surface as the component's own error.
        return new OllamaLane(lane.Name, args, new ComponentResourceOptions { DependsOn = dependsOn });
    }

    private static string UnknownNode(string lane, string node, GpuLayer gpu)
    {
        var hint = Llmctl.Engine.Config.Suggest.DidYouMean(node, gpu.Nodes.Keys) is { } h ? h + " " : "";
        var known = gpu.Nodes.Count == 0 ? "no GPU nodes are declared under gpuNodes" : "GPU nodes: " + string.Join(", ", gpu.Nodes.Keys);
        return $"lane '{lane}' names node '{node}', which is not a GPU node; {hint}{known}";
    }

    /// <summary>Router mode: the presets with their lock entries (<c>lanes.items[i].router</c>).</summary>
    private static LlamaCppRouter? Router(LaneConfig lane, string at, ModelLockFile? locks, Func<string, string> key)
    {
        if (lane.Router is not { } router) return null;
        var presets = new List<LlamaCppPreset>();
        for (var p = 0; p < router.Presets.Count; p++)
        {
            var preset = router.Presets[p];
            var presetAt = $"{at}.router.presets[{p}]";
            presets.Add(new LlamaCppPreset
            {
                Id = preset.Id,
                ModelFile = preset.Model,
                Lock = preset.ModelRef is null ? null : Lock(lane with { ModelRef = preset.ModelRef }, locks, key($"{presetAt}.modelRef")),
                CtxSize = preset.CtxSize,
                CacheTypeK = preset.CacheTypeK is null ? null : CacheType(preset.CacheTypeK, key($"{presetAt}.cacheTypeK")),
                CacheTypeV = preset.CacheTypeV is null ? null : CacheType(preset.CacheTypeV, key($"{presetAt}.cacheTypeV")),
                GpuLayers = preset.GpuLayers,
                CpuMoe = preset.CpuMoe,
                CpuMoeLayers = preset.NCpuMoe,
                LoadOnStartup = preset.LoadOnStartup,
            });
        }
        return new LlamaCppRouter { Presets = presets, MaxModels = router.ModelsMax };
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
