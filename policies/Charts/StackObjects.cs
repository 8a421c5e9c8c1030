using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;

namespace Llmctl.Policies.Charts;

/// <summary>
/// <see cref="ClusterObjects"/> of a stack read once per policy run (<see cref="PolicyMemo"/>): the chart policies share
/// the objects, so each object's pod spec is read once however many of them look at it.
/// </summary>
internal sealed class StackObjects
{
    private StackObjects(StackContext stack)
    {
        All = ClusterObjects.All(stack).ToList();
        FromCharts = All.Where(o => o.FromChart).ToList();
    }

    /// <summary>As <see cref="ClusterObjects.All"/>: llmctl's own objects first, then each chart's rendered objects.</summary>
    public IReadOnlyList<ClusterObject> All { get; }

    /// <summary>As <see cref="ClusterObjects.FromCharts"/>.</summary>
    public IReadOnlyList<ClusterObject> FromCharts { get; }

    public static StackObjects Of(StackContext stack) => PolicyMemo.Get(stack, s => new StackObjects(s));
}
