using System.Globalization;
using System.Text.Json.Nodes;
using Llmctl.Components.Gpu;
using Llmctl.Components.Helm;
using Llmctl.Components.Images;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Config;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Models;

/// <summary>The persistent volume an Ollama release keeps its pulled models on.</summary>
public sealed record OllamaVolume
{
    /// <summary>Seed 000 uses 120Gi; the chart's default is 30Gi.</summary>
    public Quantity Size { get; init; } = Quantity.Parse("120Gi");
    /// <summary>The StorageClass; the cluster default when not set (k3s: <c>local-path</c>, which keeps data on the node).</summary>
    public string? StorageClass { get; init; }
}

/// <summary>Ollama on one or more GPU nodes through the otwld/ollama chart, one release per node with identical settings (seed 000).</summary>
public sealed record OllamaLaneArgs
{
    /// <summary>The namespace of the releases' objects (a DNS-1123 label).</summary>
    public required string Namespace { get; init; }
    /// <summary>One release per node, pinned by <c>kubernetes.io/hostname</c>.</summary>
    public required IReadOnlyList<string> Nodes { get; init; }
    /// <summary>
    /// Node → release (and Service) name, for names fixed elsewhere (seed 000: <c>ollama</c> and <c>ollama-bosgame</c>);
    /// a node not listed gets <c>&lt;lane&gt;-&lt;node&gt;</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> ReleaseNames { get; init; } = new Dictionary<string, string>();
    /// <summary><c>ollama/ollama:&lt;tag&gt;@sha256:…</c>; for AMD GPUs a ROCm tag (<c>rocm</c> or <c>&lt;version&gt;-rocm</c>).</summary>
    public required ImageRef Image { get; init; }
    /// <summary><c>OLLAMA_CONTEXT_LENGTH</c>; must be set (Ollama's 0 picks 4k/32k/256k from the VRAM it sees).</summary>
    public required int ContextLength { get; init; }
    /// <summary>Models pulled when the container starts (<c>ollama.models.pull</c>), e.g. <c>gemma4:e4b</c>.</summary>
    public IReadOnlyList<string> Pull { get; init; } = [];
    public GpuVendor Gpu { get; init; } = GpuVendor.Nvidia;
    public int GpuCount { get; init; } = 1;
    /// <summary><c>OLLAMA_NUM_PARALLEL</c>.</summary>
    public int NumParallel { get; init; } = 1;
    /// <summary><c>OLLAMA_MAX_LOADED_MODELS</c>; Ollama's 0 means 3 per GPU.</summary>
    public int MaxLoadedModels { get; init; } = 1;
    /// <summary><c>OLLAMA_KEEP_ALIVE</c>: a duration (<c>1h</c>, <c>30m</c>), seconds, or <c>-1</c> for forever.</summary>
    public string KeepAlive { get; init; } = "1h";
    /// <summary><c>OLLAMA_FLASH_ATTENTION</c> (1 or 0).</summary>
    public bool FlashAttention { get; init; } = true;
    /// <summary><c>OLLAMA_KV_CACHE_TYPE</c>: f16, q8_0 or q4_0 (quantized types need flash attention).</summary>
    public KvCacheType KvCacheType { get; init; } = KvCacheType.F16;
    public OllamaVolume Volume { get; init; } = new();
    public ComputeResources Resources { get; init; } = new();
    public int Port { get; init; } = 11434;
    /// <summary>NVIDIA only; AMD pods use the default runtime.</summary>
    public string RuntimeClassName { get; init; } = NvidiaRuntime.DefaultName;
    public string ChartVersion { get; init; } = OllamaLane.ChartVersion;
    public string ChartRepo { get; init; } = OllamaLane.ChartRepo;
}

/// <summary>The Service of one node's Ollama release, for the gateway.</summary>
public sealed record OllamaEndpoint(string Node, string ServiceName, string Namespace, int Port)
{
    public string ServiceHost => $"{ServiceName}.{Namespace}.svc.cluster.local";
    /// <summary>The OpenAI-compatible base URL.</summary>
    public string Url => $"http://{ServiceHost}:{Port}/v1";
}

/// <summary>
/// Ollama per node as seed 000 runs it: the otwld/ollama chart once per node with identical values except the
/// <c>kubernetes.io/hostname</c> node selector (and the release's own name), so the gateway can balance across
/// identical instances. Settings become <c>OLLAMA_*</c> variables; the GPU is requested through the chart
/// (<c>ollama.gpu</c>); models are pulled at start; each release keeps them on a persistent volume.
/// </summary>
public sealed partial class OllamaLane : ComponentResource
{
    public const string TypeToken = "llmctl:models:OllamaLane";
    public const string Chart = "ollama";
    /// <summary>The chart's current repository (seed 000; the reference notes the old <c>https://otwld.github.io/ollama-helm/</c> moved here).</summary>
    public const string ChartRepo = "https://helm.otwld.com/";
    /// <summary>The chart version whose values.yaml this lane was checked against (upstream/SOURCES.md).</summary>
    public const string ChartVersion = "1.77.0";
    /// <summary>The pinned chart (its digest is in charts.lock.yaml).</summary>
    public static readonly ChartRef PinnedChart = new(Chart, ChartRepo, ChartVersion);

    public OllamaLane(string name, OllamaLaneArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        Args = args;
        ComponentArgumentException.ThrowIfAny(this, Validate(name, args));
        var releases = new Dictionary<string, HelmRelease>(StringComparer.Ordinal);
        var endpoints = new List<OllamaEndpoint>();
        foreach (var node in args.Nodes)
        {
            var releaseName = ReleaseName(name, node, args);
            var release = new HelmRelease(releaseName, new HelmReleaseArgs
            {
                Chart = Chart,
                Repo = args.ChartRepo,
                Version = args.ChartVersion,
                TargetNamespace = args.Namespace,
                Values = Values(name, releaseName, node, args),
                // Pulling models happens in the pod, not in helm; the install itself is quick.
                Timeout = TimeSpan.FromMinutes(10),
            }, new ComponentResourceOptions { Parent = this, DependsOn = RawOptions.DependsOn });
            release.Chart
                .Annotate(new GpuWorkload(args.Gpu, args.GpuCount))
                .Annotate(new ServingLane(name, ModelRuntime.Ollama, node, true))
                .Annotate(new ContainerImage("ollama", args.Image));
            releases[node] = release;
            endpoints.Add(new OllamaEndpoint(node, releaseName, args.Namespace, args.Port));
        }
        Releases = releases;
        Endpoints = endpoints;
        RegisterOutputs(new Dictionary<string, object?>
        {
            ["endpoints"] = endpoints.Select(e => e.Url).ToArray(),
            ["models"] = args.Pull.ToArray(),
        });
    }

    public OllamaLaneArgs Args { get; }
    /// <summary>The release of each node.</summary>
    public IReadOnlyDictionary<string, HelmRelease> Releases { get; }
    /// <summary>One Service per node, in the order of <see cref="OllamaLaneArgs.Nodes"/>.</summary>
    public IReadOnlyList<OllamaEndpoint> Endpoints { get; }
    /// <summary>The first node's endpoint (the only one for a single-node lane).</summary>
    public string Endpoint => Endpoints[0].Url;

    /// <summary>The release (and Service) name on <paramref name="node"/>: <c>&lt;lane&gt;-&lt;node&gt;</c>.</summary>
    public static string ReleaseName(string lane, string node) => $"{lane}-{node}";

    /// <summary>The release name on <paramref name="node"/>: the one in <see cref="OllamaLaneArgs.ReleaseNames"/>, else <c>&lt;lane&gt;-&lt;node&gt;</c>.</summary>
    public static string ReleaseName(string lane, string node, OllamaLaneArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.ReleaseNames.TryGetValue(node, out var name) ? name : ReleaseName(lane, node);
    }

    /// <summary>The chart values of the release on <paramref name="node"/>.</summary>
    public static JsonObject Values(string lane, string releaseName, string node, OllamaLaneArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var gpu = new JsonObject
        {
            ["enabled"] = true,
            ["type"] = args.Gpu.LabelValue(),
            ["number"] = args.GpuCount,
        };
        var resources = new JsonObject();
        var r = args.Resources;
        if (r.CpuRequest is not null || r.MemoryRequest is not null)
        {
            resources["requests"] = Quantities(r.CpuRequest, r.MemoryRequest);
        }
        if (r.CpuLimit is not null || r.MemoryLimit is not null)
        {
            resources["limits"] = Quantities(r.CpuLimit, r.MemoryLimit);
        }
        var volume = new JsonObject { ["enabled"] = true, ["size"] = args.Volume.Size.Text };
        if (args.Volume.StorageClass is { } storageClass) volume["storageClass"] = storageClass;

        var values = new JsonObject
        {
            // The Service and Deployment are named after the release, whatever the chart's naming rule.
            ["fullnameOverride"] = releaseName,
            ["image"] = new JsonObject
            {
                ["repository"] = args.Image.Repository,
                ["tag"] = $"{args.Image.Tag}@{args.Image.Digest}",
            },
            ["ollama"] = new JsonObject
            {
                ["port"] = args.Port,
                ["gpu"] = gpu,
                ["models"] = new JsonObject { ["pull"] = new JsonArray(args.Pull.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()) },
            },
            ["extraEnv"] = new JsonArray(Environment(args).Select(kv => (JsonNode?)new JsonObject { ["name"] = kv.Key, ["value"] = kv.Value }).ToArray()),
            ["persistentVolume"] = volume,
            ["service"] = new JsonObject { ["type"] = "ClusterIP", ["port"] = args.Port },
            ["podLabels"] = new JsonObject { [ModelLabels.GpuLlm] = "true", [ModelLabels.Lane] = lane },
            ["nodeSelector"] = new JsonObject { [GpuLabels.Gpu] = "true", [GpuLabels.Hostname] = node },
            ["tolerations"] = new JsonArray(new JsonObject
            {
                ["key"] = GpuLabels.DedicatedTaintKey,
                ["operator"] = "Equal",
                ["value"] = GpuLabels.DedicatedTaintValue,
                ["effect"] = GpuLabels.DedicatedTaintEffect,
            }),
            // One GPU per pod: the old pod must let go of it first (also the chart's default).
            ["updateStrategy"] = new JsonObject { ["type"] = "Recreate" },
        };
        if (resources.Count > 0) values["resources"] = resources;
        if (args.Gpu == GpuVendor.Nvidia) values["runtimeClassName"] = args.RuntimeClassName;
        return values;
    }

    /// <summary>The <c>OLLAMA_*</c> variables, in a fixed order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Environment(OllamaLaneArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return
        [
            new("OLLAMA_CONTEXT_LENGTH", args.ContextLength.ToString(CultureInfo.InvariantCulture)),
            new("OLLAMA_FLASH_ATTENTION", args.FlashAttention ? "1" : "0"),
            new("OLLAMA_KEEP_ALIVE", args.KeepAlive),
            new("OLLAMA_KV_CACHE_TYPE", args.KvCacheType.ToFlag()),
            new("OLLAMA_MAX_LOADED_MODELS", args.MaxLoadedModels.ToString(CultureInfo.InvariantCulture)),
            new("OLLAMA_NUM_PARALLEL", args.NumParallel.ToString(CultureInfo.InvariantCulture)),
        ];
    }

    private static JsonObject Quantities(Quantity? cpu, Quantity? memory)
    {
        var o = new JsonObject();
        if (cpu is { } c) o["cpu"] = c.Text;
        if (memory is { } m) o["memory"] = m.Text;
        return o;
    }

    public static IReadOnlyList<ArgumentProblem> Validate(string name, OllamaLaneArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var problems = new List<ArgumentProblem>();
        void Add(string argument, string message) => problems.Add(new ArgumentProblem(argument, message));
        if (KubernetesNames.Dns1035LabelProblem(name) is { } n) Add("name", n);
        if (KubernetesNames.Dns1123LabelProblem(args.Namespace) is { } ns) Add("namespace", ns);
        if (args.Nodes is null || args.Nodes.Count == 0)
        {
            Add("nodes", "name at least one node; each gets its own release");
        }
        else
        {
            foreach (var node in args.Nodes)
            {
                var release = ReleaseName(name, node, args);
                if (KubernetesNames.Dns1123LabelProblem(node) is { } p) Add("nodes", $"'{node}': {p}");
                else if (KubernetesNames.Dns1035LabelProblem(release) is not null || release.Length > 53)
                {
                    Add("nodes", $"the release name '{release}' must be a DNS label of at most 53 characters (Helm's limit); shorten the lane or node name");
                }
            }
            foreach (var node in args.ReleaseNames.Keys.Where(n => !args.Nodes.Contains(n)))
            {
                Add("releaseNames", $"'{node}' is not one of the lane's nodes; key release names by node");
            }
            foreach (var dup in args.Nodes.Distinct().GroupBy(n => ReleaseName(name, n, args), StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                Add("releaseNames", $"nodes {string.Join(", ", dup)} would share the release name '{dup.Key}'; give each node its own");
            }
            foreach (var dup in args.Nodes.GroupBy(x => x, StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                Add("nodes", $"'{dup.Key}' is listed {dup.Count()} times; one release per node");
            }
        }
        if (args.Image is null)
        {
            Add("image", "is required; write ollama/ollama:<tag>@sha256:<64 hex digits>");
        }
        else
        {
            // The tag says which build (ROCm or CUDA) the node pulls; the digest pin is the pinned-digests policy's.
            if (args.Image.Tag is null)
            {
                Add("image", $"'{args.Image}' has no tag: write it as ollama/ollama:<tag>@sha256:<64 hex digits>, the tag naming the build (e.g. 0.30.0-rocm)");
            }
            if (args.Gpu == GpuVendor.Amd && args.Image.Tag is { } tag && tag != "rocm" && !tag.EndsWith("-rocm", StringComparison.Ordinal))
            {
                Add("image", $"tag '{tag}' is not a ROCm build; AMD GPUs need the 'rocm' tag or a version with the '-rocm' tag (e.g. {tag}-rocm)");
            }
        }
        if (args.ContextLength <= 0)
        {
            Add("contextLength", $"must be greater than 0, not {args.ContextLength}; Ollama's 0 picks a context from the VRAM it sees, so set the one you measured (e.g. 32768)");
        }
        else if (ModelServerLimits.ContextProblem(args.ContextLength) is { } ctxProblem) Add("contextLength", ctxProblem);
        else if (args.NumParallel >= 1 && ModelServerLimits.ContextProblem((long)args.ContextLength * args.NumParallel) is not null)
        {
            // Ollama starts its runner with -c num_ctx x num_parallel: that product is the context llama.cpp allocates.
            Add("contextLength", $"{args.ContextLength} x {args.NumParallel} parallel slots = {(long)args.ContextLength * args.NumParallel} tokens, "
                + $"beyond the {ModelServerLimits.MaxContext} Ollama's runner can be given; lower the context or the slots");
        }
        if (args.GpuCount < 1) Add("gpuCount", $"must be at least 1, not {args.GpuCount}");
        if (ModelServerLimits.ParallelProblem(args.NumParallel) is { } parallelProblem) Add("numParallel", parallelProblem);
        if (args.MaxLoadedModels < 1) Add("maxLoadedModels", $"must be at least 1, not {args.MaxLoadedModels}; Ollama's 0 means three per GPU");
        if (!KeepAlivePattern().IsMatch(args.KeepAlive ?? ""))
        {
            Add("keepAlive", $"'{args.KeepAlive}' is not a keep-alive; write a duration such as 1h or 30m, seconds, or -1 for forever");
        }
        if (args.KvCacheType is not (KvCacheType.F16 or KvCacheType.Q8_0 or KvCacheType.Q4_0))
        {
            Add("kvCacheType", $"Ollama accepts f16, q8_0 or q4_0, not {args.KvCacheType.ToFlag()}");
        }
        else if (args.KvCacheType != KvCacheType.F16 && !args.FlashAttention)
        {
            Add("kvCacheType", $"{args.KvCacheType.ToFlag()} needs flash attention; set flashAttention or use f16");
        }
        if (args.Port is < 1 or > 65535) Add("port", $"must be between 1 and 65535, not {args.Port}");
        if (args.Volume is null || args.Volume.Size.Value <= 0) Add("volume.size", "must be a positive size such as 120Gi");
        foreach (var model in args.Pull.Where(m => string.IsNullOrWhiteSpace(m) || m.Any(char.IsWhiteSpace)))
        {
            Add("pull", $"'{model}' is not an Ollama model name (e.g. gemma4:e4b)");
        }
        if (args.Gpu == GpuVendor.Nvidia && KubernetesNames.Dns1123LabelProblem(args.RuntimeClassName) is { } rc) Add("runtimeClassName", rc);
        var r = args.Resources ?? new ComputeResources();
        ModelServerPods.RequestWithinLimit(problems, "cpu", r.CpuRequest, r.CpuLimit);
        ModelServerPods.RequestWithinLimit(problems, "memory", r.MemoryRequest, r.MemoryLimit);
        return problems;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(-1|\d+|(\d+(h|m|s))+)$")]
    private static partial System.Text.RegularExpressions.Regex KeepAlivePattern();
}
