using System.Globalization;
using Llmctl.Components.Gpu;
using Llmctl.Fit.Estimate;
using Llmctl.Stacks.Config;

namespace Llmctl.Stacks.Fit;

/// <summary>A lane or node the estimator could not be given: unknown lane, no facts for its model, no GPU budget.</summary>
public sealed class LaneFitException(string message) : Exception(message);

/// <summary>
/// The stack file's lanes as estimator inputs: a lane's settings become <see cref="FitSettings"/>, its node's hardware
/// a <see cref="FitGpu"/>, and the models it keeps loaded at once (one; a router's largest <c>modelsMax</c> presets; an
/// Ollama server's largest <c>maxLoadedModels</c> pulls) <see cref="FitLoad"/>s. Model facts come from
/// <paramref name="facts"/> by lock ref. This is what <c>llmctl fit --lane</c>, the vram-fit policy and <c>preflight</c> call.
/// </summary>
public static class LaneFit
{
    /// <summary>The estimate of one lane on its node's GPU(s), alone.</summary>
    public static FitEstimate Estimate(StackConfig config, string laneName, Func<string, ModelFactsRef?> facts, double marginMiB = FitEstimator.DefaultMarginMiB)
    {
        ArgumentNullException.ThrowIfNull(config);
        var lane = config.Lanes.Items.FirstOrDefault(l => l.Name == laneName)
            ?? throw new LaneFitException($"the stack has no lane '{laneName}'; lanes: {string.Join(", ", config.Lanes.Items.Select(l => l.Name))}");
        return Estimate(config, lane, facts, marginMiB);
    }

    public static FitEstimate Estimate(StackConfig config, LaneConfig lane, Func<string, ModelFactsRef?> facts, double marginMiB = FitEstimator.DefaultMarginMiB)
    {
        var node = NodeOf(config, lane);
        var gpu = Gpu(node, lane.Runtime == LaneRuntime.Ollama ? 1 : lane.Gpus);
        return FitEstimator.Estimate(lane.Name, Resident(lane, facts, gpu), gpu, marginMiB);
    }

    /// <summary>
    /// Every GPU node's active lanes: each lane on its own GPU(s) when the node has enough, else all of them summed on
    /// one GPU (they are resident together). One estimate per lane, or one per node that shares a GPU.
    /// </summary>
    public static IReadOnlyList<FitEstimate> ActiveOnNodes(StackConfig config, Func<string, ModelFactsRef?> facts, double marginMiB = FitEstimator.DefaultMarginMiB)
    {
        ArgumentNullException.ThrowIfNull(config);
        var result = new List<FitEstimate>();
        foreach (var node in config.GpuNodes)
        {
            var active = config.Lanes.Items
                .Where(l => l.Runtime == LaneRuntime.Ollama ? l.Nodes.Contains(node.Name) : l.Active && l.Node == node.Name)
                .ToList();
            if (active.Count == 0) continue;
            var hardware = Hardware(node);
            var demand = active.Sum(l => l.Runtime == LaneRuntime.Ollama ? 1 : Math.Max(1, l.Gpus));
            if (demand <= hardware.GpuCount)
            {
                foreach (var lane in active)
                {
                    var gpu = Gpu(node, lane.Runtime == LaneRuntime.Ollama ? 1 : lane.Gpus);
                    result.Add(FitEstimator.Estimate($"{lane.Name} on {node.Name}", Resident(lane, facts, gpu), gpu, marginMiB));
                }
                continue;
            }
            var shared = Gpu(node, 1);
            var loads = active.SelectMany(l => Resident(l, facts, shared)).ToList();
            result.Add(FitEstimator.Estimate($"{node.Name}: {string.Join(" + ", active.Select(l => l.Name))} share one GPU", loads, shared, marginMiB));
        }
        return result;
    }

    /// <summary>The largest context (per slot for Ollama) at which the lane still fits with the margin; null if none does.</summary>
    public static int? MaxContext(StackConfig config, LaneConfig lane, Func<string, ModelFactsRef?> facts, double marginMiB = FitEstimator.DefaultMarginMiB)
    {
        var node = NodeOf(config, lane);
        var gpu = Gpu(node, lane.Runtime == LaneRuntime.Ollama ? 1 : lane.Gpus);
        var loads = Resident(lane, facts, gpu);
        if (loads.Count != 1) throw new LaneFitException($"lane '{lane.Name}' keeps {loads.Count} models loaded at once; --max-ctx answers for one model (use --model)");
        return FitEstimator.MaxContext(loads[0], gpu, marginMiB);
    }

    /// <summary>The node's hardware, as the composer resolves it.</summary>
    public static GpuHardware Hardware(GpuNodeConfig node) =>
        HardwareCatalog.Resolve(node, out var problem, out var key) ?? throw new LaneFitException($"GPU node '{node.Name}': {key}: {problem}");

    /// <summary><paramref name="count"/> GPUs of the node as a budget: memory per GPU (usableVram when declared), the backend of the vendor.</summary>
    public static FitGpu Gpu(GpuNodeConfig node, int count)
    {
        var hardware = Hardware(node);
        long perGpu = node.UsableVram is { } usable ? (long)(usable.Value / (1024 * 1024))
            : hardware.UnifiedMemory && node.Gpus?.Memory is null
                ? throw new LaneFitException($"GPU node '{node.Name}' has unified memory ({hardware.DisplayName}); set usableVram to the BIOS carve-out so the estimate has a budget")
                : hardware.VramMiB;
        if (count > hardware.GpuCount)
        {
            throw new LaneFitException($"the lane asks for {count} GPUs and node '{node.Name}' has {hardware.GpuCount}");
        }
        return new FitGpu
        {
            Name = hardware.DisplayName,
            MiBPerGpu = perGpu,
            Count = Math.Max(1, count),
            Backend = hardware.Vendor == GpuVendor.Amd ? GpuBackend.Rocm : GpuBackend.Cuda,
            UnifiedMemory = hardware.UnifiedMemory,
            GttMiB = hardware.GttMiB,
        };
    }

    /// <summary>The lane's settings in the estimator's terms (router presets and Ollama pulls are separate loads).</summary>
    public static FitSettings Settings(LaneConfig lane)
    {
        ArgumentNullException.ThrowIfNull(lane);
        var settings = new FitSettings
        {
            Runtime = lane.Runtime switch { LaneRuntime.Ollama => FitRuntime.Ollama, LaneRuntime.Vllm => FitRuntime.Vllm, _ => FitRuntime.LlamaCpp },
            CtxSize = lane.CtxSize,
            Parallel = lane.Parallel,
            CacheTypeK = Cache(lane.Runtime == LaneRuntime.Ollama ? lane.KvCacheType : lane.CacheTypeK, lane.Name),
            CacheTypeV = Cache(lane.Runtime == LaneRuntime.Ollama ? lane.KvCacheType : lane.CacheTypeV, lane.Name),
            FlashAttention = lane.FlashAttn,
            GpuLayers = lane.GpuLayers,
            CpuMoe = lane.CpuMoe,
            NCpuMoe = lane.NCpuMoe ?? 0,
            GpuMemoryUtilization = lane.GpuMemoryUtilization,
        };
        if (lane.Runtime == LaneRuntime.Vllm) settings = settings with { CacheTypeK = CacheType.Bf16, CacheTypeV = CacheType.Bf16 };
        return WithExtraArgs(settings, lane.ExtraArgs, lane.Name);
    }

    /// <summary>The models the lane keeps loaded at once, with their settings.</summary>
    public static IReadOnlyList<FitLoad> Resident(LaneConfig lane, Func<string, ModelFactsRef?> facts, FitGpu gpu)
    {
        ArgumentNullException.ThrowIfNull(lane);
        ArgumentNullException.ThrowIfNull(facts);
        var settings = Settings(lane);
        if (lane.Runtime == LaneRuntime.Ollama)
        {
            var pulls = new List<FitLoad>();
            foreach (var tag in lane.Pull)
            {
                if (!lane.ModelRefs.TryGetValue(tag, out var modelRef))
                {
                    throw new LaneFitException($"ollama lane '{lane.Name}' pulls '{tag}', but modelRefs names no models.lock.yaml entry for it; add 'modelRefs: {{\"{tag}\": <ref>}}'");
                }
                pulls.Add(new FitLoad($"{lane.Name}/{tag}", Facts(facts, modelRef, lane.Name), settings));
            }
            return Largest(pulls, lane.MaxLoadedModels, gpu);
        }
        if (lane.Router is { } router)
        {
            var presets = router.Presets.Select(p =>
            {
                var modelRef = p.ModelRef ?? throw new LaneFitException($"router preset '{p.Id}' of lane '{lane.Name}' names no modelRef; the estimate needs its lock entry");
                return new FitLoad($"{lane.Name}/{p.Id}", Facts(facts, modelRef, lane.Name), settings with
                {
                    CtxSize = p.CtxSize ?? settings.CtxSize,
                    CacheTypeK = p.CacheTypeK is null ? settings.CacheTypeK : Cache(p.CacheTypeK, lane.Name),
                    CacheTypeV = p.CacheTypeV is null ? settings.CacheTypeV : Cache(p.CacheTypeV, lane.Name),
                    GpuLayers = p.GpuLayers ?? settings.GpuLayers,
                    CpuMoe = p.CpuMoe ?? settings.CpuMoe,
                    NCpuMoe = p.NCpuMoe ?? settings.NCpuMoe,
                });
            }).ToList();
            return Largest(presets, router.ModelsMax, gpu);
        }
        var laneRef = lane.ModelRef ?? throw new LaneFitException($"lane '{lane.Name}' names no modelRef; the estimate reads the model's facts from its models.lock.yaml entry");
        return [new FitLoad(lane.Name, Facts(facts, laneRef, lane.Name), settings)];
    }

    // Router mode and Ollama keep up to N models loaded: the worst case is the N largest together.
    private static IReadOnlyList<FitLoad> Largest(List<FitLoad> loads, int n, FitGpu gpu) =>
        loads.OrderByDescending(l => FitEstimator.Estimate(l, gpu).Devices.Sum(d => d.TotalMiB)).Take(Math.Max(1, n)).ToList();

    private static ModelFactsRef Facts(Func<string, ModelFactsRef?> facts, string modelRef, string lane) =>
        facts(modelRef) ?? throw new LaneFitException($"model '{modelRef}' of lane '{lane}' has no facts in models.lock.yaml; run 'llmctl lock' on its file (or --url) to record them");

    private static CacheType Cache(string text, string lane) => CacheType.TryParse(text, out var type)
        ? type
        : throw new LaneFitException($"lane '{lane}': '{text}' is not a KV cache type ({string.Join(", ", CacheType.All.Select(t => t.Name))})");

    private static GpuNodeConfig NodeOf(StackConfig config, LaneConfig lane)
    {
        var name = lane.Runtime == LaneRuntime.Ollama ? lane.Nodes.FirstOrDefault() : lane.Node;
        return config.GpuNodes.FirstOrDefault(n => n.Name == name)
            ?? throw new LaneFitException($"lane '{lane.Name}' runs on '{name}', which is not in gpuNodes");
    }

    /// <summary>The llama-server flags in <c>extraArgs</c> that change memory: -ot, -ub, -b, -kvu, --swa-full.</summary>
    private static FitSettings WithExtraArgs(FitSettings settings, IReadOnlyList<string> args, string lane)
    {
        var overrides = new List<string>(settings.OverrideTensors);
        for (var i = 0; i < args.Count; i++)
        {
            var (flag, inline) = args[i].Split('=', 2) is [var f, var v] && f.StartsWith("--", StringComparison.Ordinal) ? (f, v) : (args[i], null);
            string Value() => inline ?? (i + 1 < args.Count ? args[++i] : throw new LaneFitException($"lane '{lane}': extraArgs flag {flag} has no value"));
            int Int() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new LaneFitException($"lane '{lane}': {flag} takes a number");
            switch (flag)
            {
                case "-ot" or "--override-tensor": overrides.Add(Value()); break;
                case "-ub" or "--ubatch-size": settings = settings with { UBatch = Int() }; break;
                case "-b" or "--batch-size": settings = settings with { Batch = Int() }; break;
                case "-kvu" or "--kv-unified": settings = settings with { KvUnified = true }; break;
                case "--swa-full": settings = settings with { SwaFull = true }; break;
            }
        }
        return settings with { OverrideTensors = overrides };
    }
}
