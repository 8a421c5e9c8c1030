using k8s.Models;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Gpu;

/// <summary>
/// A node that carries GPUs: its semantic labels (<see cref="GpuLabels"/>), applied as a <c>NodePatch</c> to the node
/// that already exists, and the <see cref="NodeGpu"/> annotation fit and placement policies read. The patch is
/// retained on delete: removing it from the stack must never delete a Node.
/// </summary>
public sealed class GpuNode : ComponentResource
{
    public const string TypeToken = "llmctl:gpu:GpuNode";

    public GpuNode(string name, GpuNodeArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        Args = args;
        var problems = new List<ArgumentProblem>();
        if (KubernetesNames.Dns1123LabelProblem(args.Gpu.Node) is { } nodeProblem)
        {
            problems.Add(new ArgumentProblem("gpu.node", nodeProblem));
        }
        if (args.Gpu.VramMiB <= 0) problems.Add(new ArgumentProblem("gpu.vramMiB", $"must be greater than 0, not {args.Gpu.VramMiB}; use memory.total as nvidia-smi reports it"));
        if (args.Gpu.Count <= 0) problems.Add(new ArgumentProblem("gpu.count", $"must be at least 1, not {args.Gpu.Count}"));
        if (args.Profile is not null && GpuLabels.LabelValueProblem(args.Profile) is { } profileProblem)
        {
            problems.Add(new ArgumentProblem("profile", profileProblem));
        }
        foreach (var (key, value) in args.Labels)
        {
            if ((KubernetesNames.LabelKeyProblem(key) ?? KubernetesNames.LabelValueProblem(value)) is { } labelProblem)
            {
                problems.Add(new ArgumentProblem($"labels[\"{key}\"]", labelProblem));
            }
        }
        ComponentArgumentException.ThrowIfAny(this, problems);

        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in GpuLabels.For(args.Gpu)) labels[key] = value;
        if (args.Profile is not null) labels[GpuLabels.Profile] = args.Profile;
        foreach (var (key, value) in args.Labels) labels[key] = value;
        Labels = labels;

        Patch = new KubernetesObject<V1Node>(
            args.Gpu.Node,
            new V1Node
            {
                Metadata = new V1ObjectMeta { Name = args.Gpu.Node, Labels = new Dictionary<string, string>(labels) },
                Spec = args.Taint switch
                {
                    GpuTaint.Dedicated => new V1NodeSpec { Taints = [GpuLabels.DedicatedTaint()] },
                    GpuTaint.Prefer => new V1NodeSpec { Taints = [GpuLabels.DedicatedTaint("PreferNoSchedule")] },
                    _ => null,
                },
            },
            new CustomResourceOptions { Parent = this, RetainOnDelete = true },
            patch: true);
        Patch.Annotate(args.Gpu);
        Annotate(args.Gpu);
    }

    public GpuNodeArgs Args { get; }
    public NodeGpu Gpu => Args.Gpu;
    public IReadOnlyDictionary<string, string> Labels { get; }
    /// <summary>The taints the patch applies: the GPU taint (NoSchedule or PreferNoSchedule), or none.</summary>
    public IReadOnlyList<V1Taint> Taints => Patch.Object.Spec?.Taints?.ToList() ?? [];
    public KubernetesObject<V1Node> Patch { get; }
}
