using Llmctl.Components.Gpu;
using Llmctl.Components.Models;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;

namespace Llmctl.Policies.Platform;

/// <summary>
/// One active model lane per GPU: on each node, the GPUs the running lanes ask for (replicas × GPUs per pod) fit the
/// GPUs the node has (its <see cref="NodeGpu"/>, one when the stack does not say). Replicas are read from the object
/// itself, so a customization that scales a parked lane is caught. Lanes not pinned to a node count against all GPUs
/// of the stack.
/// </summary>
public sealed class OneActiveLane : IStackPolicy
{
    public const string PolicyName = "one-active-lane";
    private const string AnyNode = "";

    public string Name => PolicyName;
    public string Description => "Each GPU serves at most one running lane; the other lanes stay parked at 0 replicas.";
    public EnforcementLevel DefaultEnforcement => EnforcementLevel.Mandatory;

    public IEnumerable<PolicyFinding> Validate(StackContext stack)
    {
        var gpusPerNode = Lanes.GpusPerNode(stack);
        var running = Lanes.All(stack)
            .Where(l => l.Demand > 0)
            .GroupBy(l => l.Annotation.Node ?? AnyNode, StringComparer.Ordinal);

        foreach (var node in running)
        {
            var capacity = node.Key == AnyNode
                ? Math.Max(1, gpusPerNode.Values.Sum())
                : gpusPerNode.GetValueOrDefault(node.Key, 1);
            var demand = node.Sum(x => x.Demand);
            if (demand <= capacity) continue;
            var names = string.Join(", ", node.Select(x => x.Annotation.Name));
            var where = node.Key == AnyNode ? "the stack's GPU nodes" : $"node '{node.Key}'";
            var gpus = capacity == 1 ? "1 GPU" : $"{capacity} GPUs";
            yield return ($"{where} has {gpus} but its running lanes ask for {demand}: {names}. Keep one lane active per GPU "
                + "and park the others (active: false, 0 replicas); switch lanes with `llmctl switch <lane>`.",
                node.Last().Workload.Owner.Urn);
        }
    }
}

/// <summary>A model-server workload and what its lane annotation says about it.</summary>
public sealed record LaneWorkload(Workload Workload, ServingLane Annotation, GpuWorkload? Gpu)
{
    /// <summary>GPUs it holds now: replicas × GPUs per pod.</summary>
    public int Demand => Workload.Replicas * (Gpu?.Count ?? 0);

    public bool Running => Workload.Replicas > 0;

    public T? Find<T>() where T : class, IResourceAnnotation => Workload.Find<T>();
}

/// <summary>Reads the lanes and GPU nodes of a composed stack, for the lane policies.</summary>
public static class Lanes
{
    /// <summary>Every workload that carries a <see cref="ServingLane"/>, in registration order (read once per policy run, see <see cref="PolicyMemo"/>).</summary>
    public static IEnumerable<LaneWorkload> All(StackContext stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return PolicyMemo.IsOpenFor(stack)
            ? PolicyMemo.Get(stack, s => new Workload.StackWorkloads(s)).Lanes.Items()
            : Read(Workload.All(stack));
    }

    internal static IEnumerable<LaneWorkload> Read(IEnumerable<Workload> workloads) => workloads
        .Select(w => (Workload: w, Lane: w.Find<ServingLane>()))
        .Where(x => x.Lane is not null)
        .Select(x => new LaneWorkload(x.Workload, x.Lane!, x.Workload.Find<GpuWorkload>()));

    public static Dictionary<string, int> GpusPerNode(StackContext stack) => stack.Resources
        .SelectMany(r => r.Annotations.OfType<NodeGpu>())
        .DistinctBy(g => g.Node)
        .ToDictionary(g => g.Node, g => g.Count, StringComparer.Ordinal);

    public static IEnumerable<GpuNode> Nodes(StackContext stack) => stack.Resources.OfType<GpuNode>();
}
