namespace Llmctl.Components.Gpu;

/// <summary>
/// The semantic node labels and the GPU taint of seed 002: workloads select nodes by what the GPU is
/// (<c>workload.ai/vram=24gb</c>), not by which machine it is in, so new hardware needs no workload changes.
/// </summary>
public static class GpuLabels
{
    public const string Gpu = "workload.ai/gpu";
    public const string Vendor = "workload.ai/gpu-vendor";
    public const string Model = "workload.ai/gpu-model";
    public const string Family = "workload.ai/gpu-family";
    public const string Tier = "workload.ai/gpu-tier";
    public const string Vram = "workload.ai/vram";
    /// <summary>What the node is for (<c>inference</c>, <c>brain</c>, …); chosen by the operator, not derived from the GPU.</summary>
    public const string Profile = "workload.ai/profile";
    public const string Hostname = "kubernetes.io/hostname";

    /// <summary>The taint that keeps everything but GPU work off a GPU node: <c>workload.ai/dedicated=gpu:NoSchedule</c>.</summary>
    public const string DedicatedTaintKey = "workload.ai/dedicated";
    public const string DedicatedTaintValue = "gpu";
    public const string DedicatedTaintEffect = "NoSchedule";

    /// <summary>The dedicated-GPU taint as the Kubernetes API writes it.</summary>
    public static k8s.Models.V1Taint DedicatedTaint(string effect = DedicatedTaintEffect) => new()
    {
        Key = DedicatedTaintKey,
        Value = DedicatedTaintValue,
        Effect = effect,
    };

    /// <summary>The labels a node with <paramref name="gpu"/> carries.</summary>
    public static IReadOnlyDictionary<string, string> For(NodeGpu gpu)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [Gpu] = "true",
            [Vendor] = gpu.Vendor.LabelValue(),
            [Model] = gpu.Model,
            [Tier] = gpu.Tier.LabelValue(),
            [Vram] = VramLabel(gpu.VramMiB),
        };
        if (gpu.Family is { Length: > 0 } family) labels[Family] = family;
        return labels;
    }

    /// <summary>Null when <paramref name="value"/> is a valid label value, else the rule it breaks.</summary>
    public static string? LabelValueProblem(string value) => Kubernetes.KubernetesNames.LabelValueProblem(value);

    /// <summary>Whole GiB, as the seed writes it: 24467 MiB is <c>24gb</c>, 81559 MiB is <c>80gb</c>.</summary>
    public static string VramLabel(int vramMiB) => $"{(int)Math.Round(vramMiB / 1024.0, MidpointRounding.AwayFromZero)}gb";
}
