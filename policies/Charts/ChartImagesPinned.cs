using Llmctl.Components.Images;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;

namespace Llmctl.Policies.Charts;

/// <summary>
/// Every container image of every object a chart renders is pinned by digest through the chart's values. Advisory
/// by default: the sample stacks pin every chart image whose published digest could be read from a public source,
/// and this policy names the rest so an operator pins them with the digests they pulled.
/// </summary>
public sealed class ChartImagesPinned : IStackPolicy
{
    public const string PolicyName = "chart-images-pinned";

    public string Name => PolicyName;
    public string Description => "Images of chart-made workloads are pinned by digest through the chart's values.";
    public EnforcementLevel DefaultEnforcement => EnforcementLevel.Advisory;

    public IEnumerable<PolicyFinding> Validate(StackContext stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var unpinned = ClusterObjects.FromCharts(stack)
            .Where(o => o.PodSpec is not null)
            .SelectMany(o => o.PodSpec!.AllContainers().Select(c => (Object: o, c.Image)))
            .Where(x => !ImageRef.TryParse(x.Image, out var image, out _) || !image.IsPinned)
            .GroupBy(x => (x.Object.Owner.Urn, x.Image));
        foreach (var group in unpinned)
        {
            var first = group.First().Object;
            yield return ($"release '{first.Owner.Urn.Name}' ({first.Chart!.Source}) runs '{group.Key.Image}', not pinned by digest, in "
                + string.Join(", ", group.Select(g => $"{g.Object.Kind} {g.Object.Name}").Distinct())
                + "; set the chart's image tag to <tag>@sha256:<digest> with the digest you pulled", group.Key.Urn);
        }
    }
}
