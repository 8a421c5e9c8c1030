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
        else if (!args.Image.IsPinned)
        {
            Add("image", $"'{args.Image}' is not pinned by digest: write it as {args.Image}@sha256:<64 hex digits>, "
                + "the digest you pulled and tested, so a re-pushed tag never changes what the GPU node runs");
        }

        if (string.IsNullOrWhiteSpace(args.ModelFile))
        {
            Add("modelFile", "is required: the GGUF file name under " + GgufDir);
        }
        else if (args.ModelFile.Contains('/', StringComparison.Ordinal) || args.ModelFile.Contains('\\', StringComparison.Ordinal) || args.ModelFile.StartsWith('.'))
        {
            Add("modelFile", $"'{args.ModelFile}' must be a plain file name in {GgufDir}, without directories");
        }
        else if (!args.ModelFile.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase))
        {
            Add("modelFile", $"'{args.ModelFile}' is not a .gguf file; llama.cpp lanes serve GGUF models");
        }

        if (args.Alias is { } alias && (alias.Length == 0 || alias.Any(char.IsWhiteSpace)))
        {
            Add("alias", $"'{alias}' must be a non-empty name without spaces (clients send it as \"model\")");
        }
        if (args.CtxSize <= 0)
        {
            Add("ctxSize", $"must be greater than 0, not {args.CtxSize}; llama.cpp's 0 means 'from the model', which makes "
                + "VRAM use unpredictable, so set the context you measured (e.g. 49152)");
        }
        if (args.Parallel < 1) Add("parallel", $"must be at least 1, not {args.Parallel} (the number of slots sharing the context)");
        if (args.GpuLayers < 0) Add("gpuLayers", $"must be 0 or more, not {args.GpuLayers}; 999 offloads every layer");
        if (args.Port is < 1 or > 65535) Add("port", $"must be between 1 and 65535, not {args.Port}");
        if (string.IsNullOrWhiteSpace(args.ModelHostPath) || !args.ModelHostPath.StartsWith('/'))
        {
            Add("modelHostPath", $"'{args.ModelHostPath}' must be an absolute path on the node");
        }
        if (KubernetesNames.Dns1123LabelProblem(args.RuntimeClassName) is { } rcProblem) Add("runtimeClassName", rcProblem);
        if (args.ModelLoadBudget <= TimeSpan.Zero) Add("modelLoadBudget", "must be longer than zero; give the model minutes to load");

        var r = args.Resources ?? new ComputeResources();
        RequestWithinLimit(problems, "cpu", r.CpuRequest, r.CpuLimit);
        RequestWithinLimit(problems, "memory", r.MemoryRequest, r.MemoryLimit);
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
    };

    private static void RequestWithinLimit(List<ArgumentProblem> problems, string resource, Quantity? request, Quantity? limit)
    {
        if (request is { } req && limit is { } lim && req.Value > lim.Value)
        {
            problems.Add(new ArgumentProblem($"resources.requests.{resource}",
                $"{req} is more than the limit {lim}; Kubernetes rejects a request above its limit, so lower the request or raise the limit"));
        }
    }
}
