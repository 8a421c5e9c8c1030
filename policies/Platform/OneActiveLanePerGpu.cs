using k8s.Models;
using Llmctl.Components.Gpu;
using Llmctl.Components.Kubernetes;
using Llmctl.Components.Models;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;

namespace Llmctl.Policies.Platform;

/// <summary>
/// One active model lane per GPU: on each node, the GPUs the running lanes ask for (replicas × GPUs per pod) fit the
/// GPUs the node has (its <see cref="NodeGpu"/>, one when the stack does not say). Replicas are read from the
/// Deployment itself, so a customization that scales a parked lane is caught. Lanes not pinned to a node count
/// against all GPUs of the stack.
/// </summary>
public sealed class OneActiveLanePerGpu : IStackPolicy
{
    public const string PolicyName = "one-active-lane-per-gpu";
    private const string AnyNode = "";

    public string Name => PolicyName;
    public string Description => "Each GPU serves at most one active lane; the other lanes stay parked at 0 replicas.";
    public EnforcementLevel DefaultEnforcement => EnforcementLevel.Mandatory;

    public IEnumerable<(string Message, Urn? Urn)> Validate(StackContext stack)
    {
        var gpusPerNode = stack.Resources
            .SelectMany(r => r.Annotations.OfType<NodeGpu>())
            .DistinctBy(g => g.Node)
            .ToDictionary(g => g.Node, g => g.Count, StringComparer.Ordinal);

        var running = stack.Resources
            .Select(r => (Resource: r, Lane: r.Annotations.Find<ServingLane>(), Gpu: r.Annotations.Find<GpuWorkload>()))
            .Where(x => x.Lane is not null && x.Gpu is not null)
            .Select(x => (x.Resource, x.Lane!, Demand: Replicas(x.Resource) * x.Gpu!.Count))
            .Where(x => x.Demand > 0)
            .GroupBy(x => x.Item2.Node ?? AnyNode, StringComparer.Ordinal);

        foreach (var node in running)
        {
            var capacity = node.Key == AnyNode
                ? Math.Max(1, gpusPerNode.Values.Sum())
                : gpusPerNode.GetValueOrDefault(node.Key, 1);
            var demand = node.Sum(x => x.Demand);
            if (demand <= capacity) continue;
            var lanes = string.Join(", ", node.Select(x => x.Item2.Name));
            var where = node.Key == AnyNode ? "the stack's GPU nodes" : $"node '{node.Key}'";
            var gpus = capacity == 1 ? "1 GPU" : $"{capacity} GPUs";
            yield return ($"{where} has {gpus} but its running lanes ask for {demand}: {lanes}. Keep one lane active per GPU "
                + "and park the others (active: false, 0 replicas); switch lanes with `llmctl switch <lane>`.",
                node.Last().Resource.Urn);
        }
    }

    private static int Replicas(Resource resource) => resource is IKubernetesObjectResource { Object: V1Deployment d }
        ? d.Spec?.Replicas ?? 1
        : 1;
}
