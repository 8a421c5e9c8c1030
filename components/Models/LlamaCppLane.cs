using k8s.Models;
using Llmctl.Components.Gpu;
using Llmctl.Components.Images;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;
using Llmctl.Fit.Lock;

namespace Llmctl.Components.Models;

/// <summary>
/// One llama.cpp model-serving lane in the shape of seed 002: a single-GPU Deployment (Recreate, one replica when
/// active and zero when parked, <c>runtimeClassName: nvidia</c>, <c>nvidia.com/gpu</c> request = limit = <see cref="LlamaCppLaneArgs.GpuCount"/>, the GPU
/// node selector and taint toleration, the node's model cache as a hostPath) and a ClusterIP Service in front. The
/// Deployment carries <see cref="GpuWorkload"/>, <see cref="ServedModel"/>, <see cref="ServingLane"/> and
/// <see cref="ContainerImage"/> for policies.
/// </summary>
public sealed partial class LlamaCppLane : ComponentResource
{
    public const string TypeToken = "llmctl:models:LlamaCppLane";
    public const string ContainerName = "llama-server";
    /// <summary>Where the model cache is mounted in the container.</summary>
    public const string ModelMountPath = "/models";
    /// <summary>Where the GGUF files are in the container (<c>&lt;host path&gt;/gguf</c> on the node).</summary>
    public const string GgufDir = "/models/gguf";
    public const string HealthPath = "/health";
    /// <summary>Router mode: where the presets ConfigMap is mounted, and the INI's key in it.</summary>
    public const string PresetsDir = "/presets";
    public const string PresetsFile = "models.ini";

    public LlamaCppLane(string name, LlamaCppLaneArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        Args = args;
        ComponentArgumentException.ThrowIfAny(this, Validate(name, args));

        var labels = SelectorLabels(name);
        var gpu = new GpuWorkload(GpuVendor.Nvidia, args.GpuCount);
        // The lane's dependencies (its namespace, the RuntimeClass) are its objects' dependencies: options are not
        // inherited by children, so pass them on.
        var childOptions = new CustomResourceOptions { Parent = this, DependsOn = RawOptions.DependsOn };
        if (args.Router is not null)
        {
            PresetsIni = BuildPresetsIni(args);
            Presets = new KubernetesObject<V1ConfigMap>($"{name}-presets", BuildPresetsConfigMap(name, args, labels, PresetsIni), childOptions);
        }

        IReadOnlyList<Resource> deploymentDependsOn =
        [
            .. RawOptions.DependsOn,
            .. Presets is null ? [] : new Resource[] { Presets },
            .. args.Prefetch is null ? [] : new Resource[] { args.Prefetch.Job },
        ];
        var timeout = ModelServerPods.DeployTimeout(args.ModelLoadBudget);
        Deployment = new KubernetesObject<V1Deployment>(name, BuildDeployment(name, args, labels, gpu, PresetsIni), childOptions with
        {
            DependsOn = deploymentDependsOn,
            CustomTimeouts = new CustomTimeouts { Create = timeout, Update = timeout },
        });
        Deployment
            .Annotate(gpu)
            .Annotate(new ServingLane(name, ModelRuntime.LlamaCpp, args.Node, args.Active))
            .Annotate(new ContainerImage(ContainerName, args.Image));
        foreach (var model in ServedModels(name, args)) Deployment.Annotate(model);
        if (Locks(args) is { Count: > 0 } locks) Deployment.Annotate(new LockedModels(locks));

        Service = new KubernetesObject<V1Service>(name, BuildService(name, args, labels), childOptions);

        RegisterOutputs(new Dictionary<string, object?>
        {
            ["endpoint"] = Endpoint,
            ["alias"] = Alias,
            ["active"] = args.Active,
        });
    }

    public LlamaCppLaneArgs Args { get; }
    public KubernetesObject<V1Deployment> Deployment { get; }
    public KubernetesObject<V1Service> Service { get; }
    /// <summary>Router mode only: the ConfigMap holding <see cref="PresetsFile"/>, mounted at <see cref="PresetsDir"/>.</summary>
    public KubernetesObject<V1ConfigMap>? Presets { get; }
    /// <summary>Router mode only: the generated presets INI.</summary>
    public string? PresetsIni { get; }
    /// <summary>The name clients send as "model"; in router mode the lane name (each preset id is a model there).</summary>
    public string Alias => Args.Alias ?? Name;
    /// <summary>The model names clients can send: the alias, or the preset ids in router mode.</summary>
    public IReadOnlyList<string> ModelNames => Args.Router is { } router ? router.Presets.Select(p => p.Id).ToList() : [Alias];
    /// <summary>The in-cluster DNS name of the Service.</summary>
    public string ServiceHost => $"{Name}.{Args.Namespace}.svc.cluster.local";
    /// <summary>The OpenAI-compatible base URL a gateway points at.</summary>
    public string Endpoint => $"http://{ServiceHost}:{Args.Port}/v1";

    /// <summary>
    /// The <c>llama-server</c> flags, in a fixed order so the rendered object is stable. For seed 002's fast lane this is
    /// exactly the pod command the seed shows.
    /// </summary>
    public static IReadOnlyList<string> ServerArgs(string laneName, LlamaCppLaneArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var list = new List<string>();
        if (args.Router is { } router)
        {
            // Router mode: no -m; the per-model context, cache and offload settings are in the presets INI, because
            // flags given here would override every preset.
            list.AddRange(["--models-dir", GgufDir, "--models-max", Invariant(router.MaxModels), "--models-preset", $"{PresetsDir}/{PresetsFile}"]);
        }
        else
        {
            list.AddRange(
            [
                "-m", $"{GgufDir}/{args.ModelFile}",
                "--alias", args.Alias ?? laneName,
                "--ctx-size", Invariant(args.CtxSize),
                "--cache-type-k", args.CacheTypeK.ToFlag(),
                "--cache-type-v", args.CacheTypeV.ToFlag(),
                "--n-gpu-layers", Invariant(args.GpuLayers),
            ]);
            if (args.CpuMoeLayers is { } n) list.AddRange(["--n-cpu-moe", Invariant(n)]);
            if (args.CpuMoe) list.Add("--cpu-moe");
        }
        list.AddRange(["--flash-attn", args.FlashAttn ? "on" : "off", "--parallel", Invariant(args.Parallel)]);
        list.Add(args.Jinja ? "--jinja" : "--no-jinja");
        list.AddRange(["--host", "0.0.0.0", "--port", Invariant(args.Port), "--metrics"]);
        list.AddRange(args.ExtraArgs);
        return list;
    }

    /// <summary>
    /// Router mode's presets INI: <c>version = 1</c>, then one section per preset with an absolute <c>model</c> path and
    /// its context, KV cache types, GPU layers and expert offload (the lane's values where the preset sets none).
    /// </summary>
    public static string BuildPresetsIni(LlamaCppLaneArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var router = args.Router ?? throw new ArgumentException("the lane is not in router mode", nameof(args));
        var ini = new System.Text.StringBuilder();
        ini.Append("version = 1\n");
        foreach (var preset in router.Presets)
        {
            ini.Append('\n').Append('[').Append(preset.Id).Append("]\n");
            ini.Append("model = ").Append(GgufDir).Append('/').Append(preset.ModelFile).Append('\n');
            ini.Append("ctx-size = ").Append(Invariant(preset.CtxSize ?? args.CtxSize)).Append('\n');
            ini.Append("cache-type-k = ").Append((preset.CacheTypeK ?? args.CacheTypeK).ToFlag()).Append('\n');
            ini.Append("cache-type-v = ").Append((preset.CacheTypeV ?? args.CacheTypeV).ToFlag()).Append('\n');
            ini.Append("n-gpu-layers = ").Append(Invariant(preset.GpuLayers ?? args.GpuLayers)).Append('\n');
            if ((preset.CpuMoeLayers ?? (preset.CpuMoe is null ? args.CpuMoeLayers : null)) is { } n)
            {
                ini.Append("n-cpu-moe = ").Append(Invariant(n)).Append('\n');
            }
            if (preset.CpuMoe ?? (preset.CpuMoeLayers is null && args.CpuMoe)) ini.Append("cpu-moe = true\n");
            if (preset.LoadOnStartup) ini.Append("load-on-startup = true\n");
        }
        return ini.ToString();
    }

    private static IEnumerable<ServedModel> ServedModels(string name, LlamaCppLaneArgs args) => args.Router is { } router
        ? router.Presets.Select(p => new ServedModel(p.ModelFile, p.Id, p.CtxSize ?? args.CtxSize,
            p.CacheTypeK ?? args.CacheTypeK, p.CacheTypeV ?? args.CacheTypeV, args.Parallel))
        : [new ServedModel(args.ModelFile!, args.Alias ?? name, args.CtxSize, args.CacheTypeK, args.CacheTypeV, args.Parallel)];

    /// <summary>The lock entries of the files the lane serves (the presets' in router mode).</summary>
    internal static IReadOnlyList<ModelLock> Locks(LlamaCppLaneArgs args) => args.Router is { } router
        ? router.Presets.Select(p => p.Lock).OfType<ModelLock>().DistinctBy(l => l.Ref).ToList()
        : args.Lock is { } single ? [single] : [];

    private static Dictionary<string, string> SelectorLabels(string name) => new()
    {
        ["app.kubernetes.io/name"] = "llama-cpp",
        ["app.kubernetes.io/instance"] = name,
    };

    private static Dictionary<string, string> ObjectLabels(string name, Dictionary<string, string> selector) =>
        new(selector)
        {
            ["app.kubernetes.io/component"] = "model-server",
            ["app.kubernetes.io/managed-by"] = "llmctl",
            [ModelLabels.Lane] = name,
        };

    private static Dictionary<string, string> WorkloadLabels(string name, Dictionary<string, string> selector) =>
        new(ObjectLabels(name, selector)) { [ModelLabels.GpuLlm] = "true" };

    private static V1ConfigMap BuildPresetsConfigMap(string name, LlamaCppLaneArgs args, Dictionary<string, string> selector, string ini) => new()
    {
        Metadata = new V1ObjectMeta { Name = $"{name}-presets", NamespaceProperty = args.Namespace, Labels = ObjectLabels(name, selector) },
        Data = new Dictionary<string, string> { [PresetsFile] = ini },
    };

    private static V1Deployment BuildDeployment(string name, LlamaCppLaneArgs args, Dictionary<string, string> selector, GpuWorkload gpu, string? presetsIni)
    {
        var mounts = new List<V1VolumeMount>
        {
            new() { Name = "models", MountPath = ModelMountPath, ReadOnlyProperty = true },
            new() { Name = "dshm", MountPath = "/dev/shm" },
        };
        var volumes = new List<V1Volume>
        {
            new() { Name = "models", HostPath = new V1HostPathVolumeSource { Path = args.ModelHostPath, Type = "Directory" } },
            ModelServerPods.ShmVolume(args.ShmSize),
        };
        Dictionary<string, string>? podAnnotations = null;
        if (presetsIni is not null)
        {
            mounts.Add(new V1VolumeMount { Name = "presets", MountPath = PresetsDir, ReadOnlyProperty = true });
            volumes.Add(new V1Volume { Name = "presets", ConfigMap = new V1ConfigMapVolumeSource { Name = $"{name}-presets" } });
            // The router reads the INI at start: a changed INI must restart the pod.
            podAnnotations = new Dictionary<string, string> { [ModelLabels.ConfigSha256Annotation] = Sha256Hex(presetsIni) };
        }

        var container = new V1Container
        {
            Name = ContainerName,
            Image = args.Image.ToString(),
            Args = ServerArgs(name, args).ToList(),
            Ports = [new V1ContainerPort { Name = "http", ContainerPort = args.Port, Protocol = "TCP" }],
            Resources = ModelServerPods.Resources(args.Resources, gpu),
            VolumeMounts = mounts,
            // /health answers 503 while the model loads and 200 once it serves.
            StartupProbe = ModelServerPods.HealthProbe(HealthPath, ModelServerPods.StartupFailures(args.ModelLoadBudget)),
            ReadinessProbe = ModelServerPods.HealthProbe(HealthPath, 3),
        };
        return ModelServerPods.GpuDeployment(name, args.Namespace, args.Active, selector, WorkloadLabels(name, selector),
            ModelServerPods.DeploymentAnnotations(Locks(args), args.Router is not null), podAnnotations,
            args.RuntimeClassName, args.Node, container, volumes);
    }

    private static string Sha256Hex(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    private static V1Service BuildService(string name, LlamaCppLaneArgs args, Dictionary<string, string> selector) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = args.Namespace, Labels = ObjectLabels(name, selector) },
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            Selector = new Dictionary<string, string>(selector),
            Ports = [new V1ServicePort { Name = "http", Port = args.Port, TargetPort = "http", Protocol = "TCP" }],
        },
    };

    private static string Invariant(int value) => ModelServerPods.Invariant(value);
}
