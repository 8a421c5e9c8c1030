using System.Globalization;
using k8s.Models;
using Llmctl.Components.Gpu;
using Llmctl.Engine.Config;
using Llmctl.Fit.Lock;

namespace Llmctl.Components.Models;

/// <summary>The labels and annotations model-serving workloads carry, for alerts, dashboards and policies.</summary>
public static class ModelLabels
{
    /// <summary>On every GPU LLM pod: <c>workload.ai/gpu-llm: "true"</c> (alerts select on it).</summary>
    public const string GpuLlm = "workload.ai/gpu-llm";
    /// <summary>The lane a pod belongs to.</summary>
    public const string Lane = "workload.ai/lane";
    /// <summary>On model-server Deployments: <c>llmctl.io/model-server: "true"</c>.</summary>
    public const string ModelServerAnnotation = "llmctl.io/model-server";
    /// <summary>The locked sha256 of the served GGUF file (from <c>models.lock.yaml</c>).</summary>
    public const string ModelFileSha256Annotation = "llmctl.io/model-file-sha256";
    /// <summary>The locked size in bytes of the served GGUF file.</summary>
    public const string ModelFileSizeAnnotation = "llmctl.io/model-file-size-bytes";
    /// <summary>Router mode: every locked file the presets serve, one <c>&lt;sha256&gt;  &lt;file&gt;</c> line each (sha256sum's format).</summary>
    public const string ModelFilesSha256Annotation = "llmctl.io/model-files-sha256";
    /// <summary>On the pod template: the sha256 of generated configuration, so a change restarts the pod.</summary>
    public const string ConfigSha256Annotation = "llmctl.io/config-sha256";
}

/// <summary>The lock entry (or entries, in llama.cpp router mode) behind a lane's model files; unlocked entries included, for policies to report.</summary>
public sealed record LockedModels(IReadOnlyList<ModelLock> Locks) : Engine.Model.IResourceAnnotation
{
    public IEnumerable<ModelLock> Unlocked => Locks.Where(l => !l.IsLocked);
}

/// <summary>The GPU pod contract shared by the llama.cpp and vLLM lanes (seed 002).</summary>
internal static class ModelServerPods
{
    public const int ProbePeriodSeconds = 10;

    /// <summary>Model loading takes minutes: the engine waits this long for a Deployment to become ready.</summary>
    public static TimeSpan DeployTimeout(TimeSpan modelLoadBudget)
    {
        var budget = modelLoadBudget + TimeSpan.FromMinutes(5);
        return budget > TimeSpan.FromMinutes(20) ? budget : TimeSpan.FromMinutes(20);
    }

    /// <summary>
    /// The GPU lane contract every model-server Deployment shares (seed 002): replicas 1 when active and 0 when
    /// parked, <c>Recreate</c> (one GPU: the old pod must release it before the new one is admitted), two old
    /// revisions, the NVIDIA runtime class, no service-account token or service links, the semantic node selector and
    /// the GPU toleration. The runtime-specific parts are the container and the volumes.
    /// </summary>
    public static V1Deployment GpuDeployment(string name, string ns, bool active, IDictionary<string, string> selector,
        IDictionary<string, string> labels, IDictionary<string, string>? annotations, IDictionary<string, string>? podAnnotations,
        string runtimeClassName, string? node, V1Container container, IList<V1Volume> volumes) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels, Annotations = annotations },
        Spec = new V1DeploymentSpec
        {
            Replicas = active ? 1 : 0,
            Strategy = new V1DeploymentStrategy { Type = "Recreate" },
            RevisionHistoryLimit = 2,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(selector) },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels), Annotations = podAnnotations },
                Spec = new V1PodSpec
                {
                    RuntimeClassName = runtimeClassName,
                    AutomountServiceAccountToken = false,
                    EnableServiceLinks = false,
                    NodeSelector = NodeSelector(node),
                    Tolerations = [GpuToleration()],
                    Containers = [container],
                    Volumes = volumes,
                },
            },
        },
    };

    public static Dictionary<string, string> NodeSelector(string? node)
    {
        var selector = new Dictionary<string, string> { [GpuLabels.Gpu] = "true" };
        if (node is not null) selector[GpuLabels.Hostname] = node;
        return selector;
    }

    public static V1Toleration GpuToleration() => new()
    {
        Key = GpuLabels.DedicatedTaintKey,
        OperatorProperty = "Equal",
        Value = GpuLabels.DedicatedTaintValue,
        Effect = GpuLabels.DedicatedTaintEffect,
    };

    public static V1Probe HealthProbe(string path, int failureThreshold) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = "http" },
        PeriodSeconds = ProbePeriodSeconds,
        TimeoutSeconds = 5,
        FailureThreshold = failureThreshold,
    };

    public static int StartupFailures(TimeSpan budget) => (int)Math.Ceiling(budget.TotalSeconds / ProbePeriodSeconds);

    public static V1ResourceRequirements Resources(ComputeResources r, GpuWorkload gpu)
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

    public static V1Volume ShmVolume(Quantity size) =>
        new() { Name = "dshm", EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity(size.Text) } };

    /// <summary>The Deployment annotations: the model-server marker and, for a locked file, its sha256 and size.</summary>
    public static Dictionary<string, string> DeploymentAnnotations(IReadOnlyList<ModelLock> locks, bool router)
    {
        var annotations = new Dictionary<string, string> { [ModelLabels.ModelServerAnnotation] = "true" };
        var locked = locks.Where(l => l.IsLocked).ToList();
        if (!router && locked.Count == 1)
        {
            annotations[ModelLabels.ModelFileSha256Annotation] = locked[0].Sha256!;
            annotations[ModelLabels.ModelFileSizeAnnotation] = locked[0].SizeBytes!.Value.ToString(CultureInfo.InvariantCulture);
        }
        else if (router && locked.Count > 0)
        {
            annotations[ModelLabels.ModelFilesSha256Annotation] =
                string.Join("\n", locked.OrderBy(l => l.File, StringComparer.Ordinal).Select(l => $"{l.Sha256}  {l.File}"));
        }
        return annotations;
    }

    public static void RequestWithinLimit(List<ArgumentProblem> problems, string resource, Quantity? request, Quantity? limit)
    {
        if (request is { } req && limit is { } lim && req.Value > lim.Value)
        {
            problems.Add(new ArgumentProblem($"resources.requests.{resource}",
                $"{req} is more than the limit {lim}; Kubernetes rejects a request above its limit, so lower the request or raise the limit"));
        }
    }

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
