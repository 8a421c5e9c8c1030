using k8s.Models;
using Llmctl.Components.Gpu;
using Llmctl.Components.Images;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Models;

/// <summary>
/// One llama.cpp model-serving lane in the shape of seed 002: a single-GPU Deployment (Recreate, one replica when
/// active and zero when parked, <c>runtimeClassName: nvidia</c>, <c>nvidia.com/gpu</c> request = limit = 1, the GPU
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
    private const int ProbePeriodSeconds = 10;

    public LlamaCppLane(string name, LlamaCppLaneArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        Args = args;
        ComponentArgumentException.ThrowIfAny(this, Validate(name, args));

        var labels = SelectorLabels(name);
        var gpu = new GpuWorkload(GpuVendor.Nvidia, 1);
        // The lane's dependencies (its namespace, the RuntimeClass) are its objects' dependencies: options are not
        // inherited by children, so pass them on.
        var childOptions = new CustomResourceOptions { Parent = this, DependsOn = RawOptions.DependsOn };
        Deployment = new KubernetesObject<V1Deployment>(name, BuildDeployment(name, args, labels, gpu), childOptions);
        Deployment
            .Annotate(gpu)
            .Annotate(new ServedModel(args.ModelFile, Alias, args.CtxSize, args.CacheTypeK, args.CacheTypeV, args.Parallel))
            .Annotate(new ServingLane(name, ModelRuntime.LlamaCpp, args.Node, args.Active))
            .Annotate(new ContainerImage(ContainerName, args.Image));

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
    public string Alias => Args.Alias ?? Name;
    /// <summary>The in-cluster DNS name of the Service.</summary>
    public string ServiceHost => $"{Name}.{Args.Namespace}.svc.cluster.local";
    /// <summary>The OpenAI-compatible base URL a gateway points at.</summary>
    public string Endpoint => $"http://{ServiceHost}:{Args.Port}/v1";

    /// <summary>The <c>llama-server</c> flags, in a fixed order so the rendered object is stable.</summary>
    public static IReadOnlyList<string> ServerArgs(string laneName, LlamaCppLaneArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var list = new List<string>
        {
            "-m", $"{GgufDir}/{args.ModelFile}",
            "--alias", args.Alias ?? laneName,
            "--ctx-size", Invariant(args.CtxSize),
            "--cache-type-k", args.CacheTypeK.ToFlag(),
            "--cache-type-v", args.CacheTypeV.ToFlag(),
            "--n-gpu-layers", Invariant(args.GpuLayers),
            "--flash-attn", args.FlashAttn ? "on" : "off",
            "--parallel", Invariant(args.Parallel),
        };
        list.Add(args.Jinja ? "--jinja" : "--no-jinja");
        if (args.Metrics) list.Add("--metrics");
        list.AddRange(["--host", "0.0.0.0", "--port", Invariant(args.Port)]);
        list.AddRange(args.ExtraArgs);
        return list;
    }

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
            ["workload.ai/lane"] = name,
        };

    private static V1Deployment BuildDeployment(string name, LlamaCppLaneArgs args, Dictionary<string, string> selector, GpuWorkload gpu)
    {
        var nodeSelector = new Dictionary<string, string> { [GpuLabels.Gpu] = "true" };
        if (args.Node is { } node) nodeSelector[GpuLabels.Hostname] = node;
        var startupFailures = (int)Math.Ceiling(args.ModelLoadBudget.TotalSeconds / ProbePeriodSeconds);

        return new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = args.Namespace, Labels = ObjectLabels(name, selector) },
            Spec = new V1DeploymentSpec
            {
                Replicas = args.Active ? 1 : 0,
                // One GPU: the old pod must release it before the new one can be admitted.
                Strategy = new V1DeploymentStrategy { Type = "Recreate" },
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(selector) },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = ObjectLabels(name, selector) },
                    Spec = new V1PodSpec
                    {
                        RuntimeClassName = args.RuntimeClassName,
                        AutomountServiceAccountToken = false,
                        EnableServiceLinks = false,
                        NodeSelector = nodeSelector,
                        Tolerations =
                        [
                            new V1Toleration
                            {
                                Key = GpuLabels.DedicatedTaintKey,
                                OperatorProperty = "Equal",
                                Value = GpuLabels.DedicatedTaintValue,
                                Effect = GpuLabels.DedicatedTaintEffect,
                            },
                        ],
                        Containers =
                        [
                            new V1Container
                            {
                                Name = ContainerName,
                                Image = args.Image.ToString(),
                                Args = ServerArgs(name, args).ToList(),
                                Ports = [new V1ContainerPort { Name = "http", ContainerPort = args.Port, Protocol = "TCP" }],
                                Resources = BuildResources(args.Resources, gpu),
                                VolumeMounts =
                                [
                                    new V1VolumeMount { Name = "models", MountPath = ModelMountPath, ReadOnlyProperty = true },
                                    new V1VolumeMount { Name = "dshm", MountPath = "/dev/shm" },
                                ],
                                // /health answers 503 while the model loads and 200 once it serves.
                                StartupProbe = HealthProbe(startupFailures),
                                ReadinessProbe = HealthProbe(3),
                            },
                        ],
                        Volumes =
                        [
                            new V1Volume
                            {
                                Name = "models",
                                HostPath = new V1HostPathVolumeSource { Path = args.ModelHostPath, Type = "Directory" },
                            },
                            new V1Volume { Name = "dshm", EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory" } },
                        ],
                    },
                },
            },
        };
    }

    private static V1Probe HealthProbe(int failureThreshold) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = HealthPath, Port = "http" },
        PeriodSeconds = ProbePeriodSeconds,
        TimeoutSeconds = 5,
        FailureThreshold = failureThreshold,
    };

    private static V1ResourceRequirements BuildResources(ComputeResources r, GpuWorkload gpu)
    {
        var gpus = new ResourceQuantity(Invariant(gpu.Count));
        var requests = new Dictionary<string, ResourceQuantity>();
        var limits = new Dictionary<string, ResourceQuantity>();
        if (r.CpuRequest is { } cpuRequest) requests["cpu"] = new ResourceQuantity(cpuRequest.Text);
        if (r.MemoryRequest is { } memoryRequest) requests["memory"] = new ResourceQuantity(memoryRequest.Text);
        if (r.CpuLimit is { } cpuLimit) limits["cpu"] = new ResourceQuantity(cpuLimit.Text);
        if (r.MemoryLimit is { } memoryLimit) limits["memory"] = new ResourceQuantity(memoryLimit.Text);
        // GPUs are extended resources: Kubernetes only accepts a request equal to the limit.
        requests[gpu.ResourceName] = gpus;
        limits[gpu.ResourceName] = gpus;
        return new V1ResourceRequirements { Requests = requests, Limits = limits };
    }

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

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
