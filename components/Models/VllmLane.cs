using System.Globalization;
using k8s.Models;
using Llmctl.Components.Gpu;
using Llmctl.Components.Images;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Config;
using Llmctl.Engine.Model;
using Llmctl.Fit.Lock;

namespace Llmctl.Components.Models;

/// <summary>A vLLM OpenAI-compatible server lane on NVIDIA GPUs, with the same GPU contract as a llama.cpp lane.</summary>
public sealed record VllmLaneArgs
{
    public required string Namespace { get; init; }
    /// <summary><c>vllm/vllm-openai:&lt;version&gt;@sha256:…</c>.</summary>
    public required ImageRef Image { get; init; }
    /// <summary><c>--model</c>: a Hugging Face repo id (<c>Qwen/Qwen3-8B-AWQ</c>) or a path under <see cref="VllmLane.ModelMountPath"/>.</summary>
    public required string Model { get; init; }
    /// <summary><c>--max-model-len</c>; must be set so the KV cache the engine reserves is known.</summary>
    public required int MaxModelLen { get; init; }
    /// <summary><c>--served-model-name</c>; the lane name when not set.</summary>
    public string? ServedModelName { get; init; }
    public bool Active { get; init; }
    public string? Node { get; init; }
    /// <summary><c>--gpu-memory-utilization</c>: the share of the GPU vLLM takes (set explicitly: the default moved from 0.9 to 0.92).</summary>
    public double GpuMemoryUtilization { get; init; } = 0.9;
    /// <summary><c>--kv-cache-dtype</c>: auto, fp8, fp8_e4m3 or fp8_e5m2.</summary>
    public string KvCacheDtype { get; init; } = "auto";
    /// <summary><c>--tensor-parallel-size</c>; also the number of GPUs the pod asks for.</summary>
    public int TensorParallelSize { get; init; } = 1;
    public int Port { get; init; } = 8000;
    public ComputeResources Resources { get; init; } = new();
    /// <summary>The node's model disk, mounted at <see cref="VllmLane.ModelMountPath"/>; Hugging Face downloads are cached under it.</summary>
    public string ModelHostPath { get; init; } = "/models";
    public string RuntimeClassName { get; init; } = NvidiaRuntime.DefaultName;
    public TimeSpan ModelLoadBudget { get; init; } = TimeSpan.FromMinutes(15);
    /// <summary>vLLM's workers share tensors through <c>/dev/shm</c>.</summary>
    public Quantity ShmSize { get; init; } = Quantity.Parse("8Gi");
    /// <summary>The lock entry of the served file, when the model is a single locked file; its sha256 and size become annotations.</summary>
    public ModelLock? Lock { get; init; }
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];
}

/// <summary>
/// A vLLM lane: a Deployment of <c>vllm/vllm-openai</c> (Recreate, one replica when active and zero when parked,
/// <c>runtimeClassName</c>, <c>nvidia.com/gpu</c> request = limit = tensor-parallel size, the GPU node selector and
/// toleration, <c>/health</c> probes, an in-memory <c>/dev/shm</c>) and a ClusterIP Service.
/// </summary>
public sealed class VllmLane : ComponentResource
{
    public const string TypeToken = "llmctl:models:VllmLane";
    public const string ContainerName = "vllm";
    public const string ModelMountPath = "/models";
    public const string HealthPath = "/health";
    /// <summary>The <c>--kv-cache-dtype</c> values accepted.</summary>
    public static IReadOnlyList<string> KvCacheDtypes { get; } = ["auto", "fp8", "fp8_e4m3", "fp8_e5m2"];

    public VllmLane(string name, VllmLaneArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        Args = args;
        ComponentArgumentException.ThrowIfAny(this, Validate(name, args));
        var selector = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "vllm", ["app.kubernetes.io/instance"] = name };
        var gpu = new GpuWorkload(GpuVendor.Nvidia, args.TensorParallelSize);
        var childOptions = new CustomResourceOptions { Parent = this, DependsOn = RawOptions.DependsOn };
        var timeout = ModelServerPods.DeployTimeout(args.ModelLoadBudget);
        Deployment = new KubernetesObject<V1Deployment>(name, BuildDeployment(name, args, selector, gpu), childOptions with
        {
            CustomTimeouts = new CustomTimeouts { Create = timeout, Update = timeout },
        });
        Deployment
            .Annotate(gpu)
            .Annotate(new ServingLane(name, ModelRuntime.Vllm, args.Node, args.Active))
            .Annotate(new ContainerImage(ContainerName, args.Image));
        if (args.Lock is { } lockEntry) Deployment.Annotate(new LockedModels([lockEntry]));
        Service = new KubernetesObject<V1Service>(name, new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = args.Namespace, Labels = Labels(name, selector) },
            Spec = new V1ServiceSpec
            {
                Type = "ClusterIP",
                Selector = new Dictionary<string, string>(selector),
                Ports = [new V1ServicePort { Name = "http", Port = args.Port, TargetPort = "http", Protocol = "TCP" }],
            },
        }, childOptions);
        RegisterOutputs(new Dictionary<string, object?> { ["endpoint"] = Endpoint, ["servedModelName"] = ServedModelName, ["active"] = args.Active });
    }

    public VllmLaneArgs Args { get; }
    public KubernetesObject<V1Deployment> Deployment { get; }
    public KubernetesObject<V1Service> Service { get; }
    public string ServedModelName => Args.ServedModelName ?? Name;
    public string ServiceHost => $"{Name}.{Args.Namespace}.svc.cluster.local";
    public string Endpoint => $"http://{ServiceHost}:{Args.Port}/v1";

    /// <summary>The server flags, in a fixed order.</summary>
    public static IReadOnlyList<string> ServerArgs(string laneName, VllmLaneArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return
        [
            "--model", args.Model,
            "--served-model-name", args.ServedModelName ?? laneName,
            "--max-model-len", args.MaxModelLen.ToString(CultureInfo.InvariantCulture),
            "--gpu-memory-utilization", args.GpuMemoryUtilization.ToString("0.0##", CultureInfo.InvariantCulture),
            "--kv-cache-dtype", args.KvCacheDtype,
            "--tensor-parallel-size", args.TensorParallelSize.ToString(CultureInfo.InvariantCulture),
            "--host", "0.0.0.0",
            "--port", args.Port.ToString(CultureInfo.InvariantCulture),
            .. args.ExtraArgs,
        ];
    }

    public static IReadOnlyList<ArgumentProblem> Validate(string name, VllmLaneArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var problems = new List<ArgumentProblem>();
        void Add(string argument, string message) => problems.Add(new ArgumentProblem(argument, message));
        if (KubernetesNames.Dns1035LabelProblem(name) is { } n) Add("name", n);
        if (KubernetesNames.Dns1123LabelProblem(args.Namespace) is { } ns) Add("namespace", ns);
        if (args.Node is not null && KubernetesNames.Dns1123LabelProblem(args.Node) is { } node) Add("node", node);
        if (args.Image is null) Add("image", "is required; write vllm/vllm-openai:<version>@sha256:<64 hex digits>");
        // An unpinned image is well-formed: the pinned-digests policy reports it.
        if (string.IsNullOrWhiteSpace(args.Model) || args.Model.Any(char.IsWhiteSpace))
        {
            Add("model", $"'{args.Model}' must be a Hugging Face repo id (org/name) or a path under {ModelMountPath}");
        }
        else if (args.Model.StartsWith('/') && !args.Model.StartsWith(ModelMountPath + "/", StringComparison.Ordinal))
        {
            Add("model", $"'{args.Model}' is outside the model disk; paths must be under {ModelMountPath}/");
        }
        if (args.MaxModelLen <= 0) Add("maxModelLen", $"must be greater than 0, not {args.MaxModelLen}; set the context you measured");
        else if (ModelServerLimits.ContextProblem(args.MaxModelLen) is { } lenProblem) Add("maxModelLen", lenProblem);
        if (args.ServedModelName is { } served && (served.Length == 0 || served.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            Add("servedModelName", $"'{served}' must be a non-empty name without spaces");
        }
        if (double.IsNaN(args.GpuMemoryUtilization) || args.GpuMemoryUtilization is <= 0 or > 1)
        {
            Add("gpuMemoryUtilization", $"must be a share of the GPU between 0 and 1 (e.g. 0.9), not {args.GpuMemoryUtilization.ToString(CultureInfo.InvariantCulture)}");
        }
        if (!KvCacheDtypes.Contains(args.KvCacheDtype)) Add("kvCacheDtype", $"'{args.KvCacheDtype}' is not one of {string.Join(", ", KvCacheDtypes)}");
        if (ModelServerLimits.GpuCountProblem(args.TensorParallelSize) is { } tpProblem) Add("tensorParallelSize", tpProblem);
        if (args.Port is < 1 or > 65535) Add("port", $"must be between 1 and 65535, not {args.Port}");
        if (string.IsNullOrWhiteSpace(args.ModelHostPath) || !args.ModelHostPath.StartsWith('/')) Add("modelHostPath", $"'{args.ModelHostPath}' must be an absolute path on the node");
        if (KubernetesNames.Dns1123LabelProblem(args.RuntimeClassName) is { } rc) Add("runtimeClassName", rc);
        if (args.ModelLoadBudget <= TimeSpan.Zero) Add("modelLoadBudget", "must be longer than zero; give the model minutes to load");
        if (args.ShmSize.Value <= 0) Add("shmSize", $"'{args.ShmSize}' must be a positive size such as 8Gi");
        var r = args.Resources ?? new ComputeResources();
        ModelServerPods.RequestWithinLimit(problems, "cpu", r.CpuRequest, r.CpuLimit);
        ModelServerPods.RequestWithinLimit(problems, "memory", r.MemoryRequest, r.MemoryLimit);
        foreach (var flag in args.ExtraArgs.Where(a => ReservedFlags.Contains(a.Split('=')[0])))
        {
            Add("extraArgs", $"'{flag}' is set by the lane from its typed settings; change that setting instead");
        }
        return problems;
    }

    private static readonly HashSet<string> ReservedFlags = new(StringComparer.Ordinal)
    {
        "--model", "--served-model-name", "--max-model-len", "--gpu-memory-utilization", "--kv-cache-dtype",
        "--tensor-parallel-size", "-tp", "--host", "--port",
    };

    private static Dictionary<string, string> Labels(string name, Dictionary<string, string> selector) => new(selector)
    {
        ["app.kubernetes.io/component"] = "model-server",
        ["app.kubernetes.io/managed-by"] = "llmctl",
        [ModelLabels.Lane] = name,
    };

    private static V1Deployment BuildDeployment(string name, VllmLaneArgs args, Dictionary<string, string> selector, GpuWorkload gpu)
    {
        var labels = new Dictionary<string, string>(Labels(name, selector)) { [ModelLabels.GpuLlm] = "true" };
        var container = new V1Container
        {
            Name = ContainerName,
            Image = args.Image.ToString(),
            Args = ServerArgs(name, args).ToList(),
            // Hugging Face downloads land on the node's model disk, not in the container.
            Env = [new V1EnvVar { Name = "HF_HOME", Value = $"{ModelMountPath}/huggingface" }],
            Ports = [new V1ContainerPort { Name = "http", ContainerPort = args.Port, Protocol = "TCP" }],
            Resources = ModelServerPods.Resources(args.Resources, gpu),
            VolumeMounts =
            [
                new V1VolumeMount { Name = "models", MountPath = ModelMountPath },
                new V1VolumeMount { Name = "dshm", MountPath = "/dev/shm" },
            ],
            StartupProbe = ModelServerPods.HealthProbe(HealthPath, ModelServerPods.StartupFailures(args.ModelLoadBudget)),
            ReadinessProbe = ModelServerPods.HealthProbe(HealthPath, 3),
        };
        return ModelServerPods.GpuDeployment(name, args.Namespace, args.Active, selector, labels,
            ModelServerPods.DeploymentAnnotations(args.Lock is null ? [] : [args.Lock], router: false), podAnnotations: null,
            args.RuntimeClassName, args.Node,
            container,
            [
                new V1Volume { Name = "models", HostPath = new V1HostPathVolumeSource { Path = args.ModelHostPath, Type = "Directory" } },
                ModelServerPods.ShmVolume(args.ShmSize),
            ]);
    }
}
