using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Config;

namespace Llmctl.Components.Models;

public sealed partial class LlamaCppLane
{
    /// <summary>Every broken rule in <paramref name="args"/>, each naming the argument and what to change.</summary>
    public static IReadOnlyList<ArgumentProblem> Validate(string name, LlamaCppLaneArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var problems = new List<ArgumentProblem>();
        void Add(string argument, string message) => problems.Add(new ArgumentProblem(argument, message));

        // The lane name is also the Service name, so it must be an RFC 1035 label.
        if (KubernetesNames.Dns1035LabelProblem(name) is { } nameProblem) Add("name", nameProblem);
        if (KubernetesNames.Dns1123LabelProblem(args.Namespace) is { } nsProblem) Add("namespace", nsProblem);
        if (args.Node is not null && KubernetesNames.Dns1123LabelProblem(args.Node) is { } nodeProblem) Add("node", nodeProblem);

        if (args.Image is null)
        {
            Add("image", "is required; write repository:tag@sha256:<64 hex digits>");
        }
        // An unpinned image is well-formed: the pinned-digests policy reports it (at the stack's level for it).

        if (args.Router is null)
        {
            if (ModelFileProblem(args.ModelFile) is { } fileProblem) Add("modelFile", fileProblem);
            if (args.Lock is { } lockEntry && args.ModelFile is not null && lockEntry.File != args.ModelFile)
            {
                Add("lock", $"lock entry '{lockEntry.Ref}' is for {lockEntry.File}, but the lane serves {args.ModelFile}; pass the entry of the served file");
            }
        }
        else
        {
            ValidateRouter(args, Add);
        }
        if (args.CpuMoe && args.CpuMoeLayers is not null)
        {
            Add("cpuMoe", "--cpu-moe keeps every expert on the CPU, so it cannot be combined with cpuMoeLayers (--n-cpu-moe); set one of them");
        }
        if (ModelServerLimits.GpuCountProblem(args.GpuCount) is { } gpuProblem) Add("gpuCount", gpuProblem);
        if (args.CpuMoeLayers is < 1) Add("cpuMoeLayers", $"must be at least 1, not {args.CpuMoeLayers}; leave it unset to keep every expert on the GPU");
        if (args.ShmSize.Value <= 0) Add("shmSize", $"'{args.ShmSize}' must be a positive size such as 8Gi");
        if (args.Prefetch is { } prefetch)
        {
            if (args.Node is not null && prefetch.Args.Node != args.Node)
            {
                Add("prefetch", $"prefetch '{prefetch.Name}' fills node '{prefetch.Args.Node}', but the lane runs on '{args.Node}'; use that node's prefetch");
            }
            foreach (var missing in Locks(args).Where(l => !prefetch.Downloads(l.Ref)))
            {
                Add("prefetch", $"prefetch '{prefetch.Name}' does not download '{missing.Ref}' ({missing.File}); add it to the prefetch's models");
            }
        }

        if (args.Alias is { } alias && (alias.Length == 0 || alias.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            Add("alias", $"'{alias}' must be a non-empty name without spaces (clients send it as \"model\")");
        }
        if (args.CtxSize <= 0)
        {
            Add("ctxSize", $"must be greater than 0, not {args.CtxSize}; llama.cpp's 0 means 'from the model', which makes "
                + "VRAM use unpredictable, so set the context you measured (e.g. 49152)");
        }
        else if (ModelServerLimits.ContextProblem(args.CtxSize) is { } ctxProblem) Add("ctxSize", ctxProblem);
        if (ModelServerLimits.ParallelProblem(args.Parallel) is { } parallelProblem) Add("parallel", parallelProblem + " (the number of slots sharing the context)");
        if (args.GpuLayers < 0) Add("gpuLayers", $"must be 0 or more, not {args.GpuLayers}; 999 offloads every layer");
        if (args.Port is < 1 or > 65535) Add("port", $"must be between 1 and 65535, not {args.Port}");
        if (string.IsNullOrWhiteSpace(args.ModelHostPath) || !args.ModelHostPath.StartsWith('/'))
        {
            Add("modelHostPath", $"'{args.ModelHostPath}' must be an absolute path on the node");
        }
        if (KubernetesNames.Dns1123LabelProblem(args.RuntimeClassName) is { } rcProblem) Add("runtimeClassName", rcProblem);
        if (args.ModelLoadBudget <= TimeSpan.Zero) Add("modelLoadBudget", "must be longer than zero; give the model minutes to load");

        var r = args.Resources ?? new ComputeResources();
        ModelServerPods.RequestWithinLimit(problems, "cpu", r.CpuRequest, r.CpuLimit);
        ModelServerPods.RequestWithinLimit(problems, "memory", r.MemoryRequest, r.MemoryLimit);
        foreach (var flag in args.ExtraArgs.Where(a => ReservedFlags.Contains(a)))
        {
            Add("extraArgs", $"'{flag}' is set by the lane from its typed settings; change that setting instead");
        }
        return problems;
    }

    private static readonly HashSet<string> ReservedFlags = new(StringComparer.Ordinal)
    {
        "-m", "--model", "-a", "--alias", "-c", "--ctx-size", "-ctk", "--cache-type-k", "-ctv", "--cache-type-v",
        "-ngl", "--n-gpu-layers", "--gpu-layers", "-fa", "--flash-attn", "-np", "--parallel", "--host", "--port",
        "--metrics", "-cmoe", "--cpu-moe", "-ncmoe", "--n-cpu-moe", "--models-dir", "--models-max", "--models-preset",
    };

    private static string? ModelFileProblem(string? file)
    {
        if (string.IsNullOrWhiteSpace(file)) return "is required: the GGUF file name under " + GgufDir;
        if (file.Contains('/', StringComparison.Ordinal) || file.Contains('\\', StringComparison.Ordinal) || file.StartsWith('.'))
        {
            return $"'{file}' must be a plain file name in {GgufDir}, without directories";
        }
        if (!file.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)) return $"'{file}' is not a .gguf file; llama.cpp lanes serve GGUF models";
        return null;
    }

    private static void ValidateRouter(LlamaCppLaneArgs args, Action<string, string> add)
    {
        var router = args.Router!;
        if (args.ModelFile is not null)
        {
            add("modelFile", "must be left out in router mode: the server is started without -m and the presets name the files");
        }
        if (args.Alias is not null) add("alias", "must be left out in router mode: the router overrides --alias; clients send the preset ids");
        if (args.Lock is not null) add("lock", "must be left out in router mode; give each preset its own lock entry");
        if (router.MaxModels < 1)
        {
            add("router.maxModels", $"must be at least 1, not {router.MaxModels}; llama.cpp's 0 means unlimited, which does not fit one GPU");
        }
        if (router.Presets is null || router.Presets.Count == 0)
        {
            add("router.presets", "name at least one model; a router without presets serves nothing");
            return;
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < router.Presets.Count; i++)
        {
            var preset = router.Presets[i];
            var at = $"router.presets[{i}]";
            if (string.IsNullOrWhiteSpace(preset.Id) || preset.Id.Any(c => char.IsWhiteSpace(c) || c is '[' or ']' or '=' or ';' or '#'))
            {
                add($"{at}.id", $"'{preset.Id}' must be a non-empty model name without spaces, brackets, '=', ';' or '#' (it is an INI section name)");
            }
            else if (!ids.Add(preset.Id))
            {
                add($"{at}.id", $"duplicate preset id '{preset.Id}'; each model needs its own name");
            }
            if (ModelFileProblem(preset.ModelFile) is { } fileProblem) add($"{at}.modelFile", fileProblem);
            if (preset.Lock is { } lockEntry && lockEntry.File != preset.ModelFile)
            {
                add($"{at}.lock", $"lock entry '{lockEntry.Ref}' is for {lockEntry.File}, but the preset serves {preset.ModelFile}");
            }
            if (preset.CtxSize is { } presetCtx && ModelServerLimits.ContextProblem(presetCtx) is { } presetCtxProblem) add($"{at}.ctxSize", presetCtxProblem);
            if (preset.GpuLayers is < 0) add($"{at}.gpuLayers", $"must be 0 or more, not {preset.GpuLayers}");
            if (preset.CpuMoeLayers is < 1) add($"{at}.cpuMoeLayers", $"must be at least 1, not {preset.CpuMoeLayers}");
            if (preset.CpuMoe == true && preset.CpuMoeLayers is not null)
            {
                add($"{at}.cpuMoe", "--cpu-moe keeps every expert on the CPU, so it cannot be combined with cpuMoeLayers; set one of them");
            }
        }
    }
}
