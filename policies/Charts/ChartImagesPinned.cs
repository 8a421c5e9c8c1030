using Llmctl.Components.Helm;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;
using Llmctl.Policies.Platform;

namespace Llmctl.Policies.Charts;

/// <summary>
/// The chart images llmctl leaves unpinned because no digest of them could be verified from public sources
/// (<see cref="UnpinnedChartImage"/>, set by the chart components from <see cref="ChartImages"/>), named one by one with
/// the reason and the objects that run them. Advisory by default: pinned-digests (mandatory) checks every other image
/// of every rendered object, so an unpinned image a stack adds or a chart renders unexpectedly still blocks; these are
/// the known gaps, said plainly, until an operator pins them with digests they pulled
/// (docs/chart-images.md lists each and the values key that pins it).
/// </summary>
public sealed class ChartImagesPinned : IStackPolicy
{
    public const string PolicyName = "chart-images-pinned";

    public string Name => PolicyName;
    public string Description => "Names each chart image llmctl could not pin by digest (no verifiable public digest), with the reason.";
    public EnforcementLevel DefaultEnforcement => EnforcementLevel.Advisory;

    public IEnumerable<PolicyFinding> Validate(StackContext stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var rendered = StackObjects.Of(stack).FromCharts.Where(o => o.PodSpec is not null).ToLookup(o => o.Owner);
        foreach (var resource in stack.Resources)
        {
            foreach (var unpinned in resource.Annotations.OfType<UnpinnedChartImage>().DistinctBy(u => u.Image))
            {
                var users = rendered[resource]
                    .Where(o => o.PodSpec!.AllContainers().Any(c => c.Image == unpinned.Image))
                    .Select(o => $"{o.Kind} {o.Name}").Distinct().ToList();
                var where = users.Count > 0 ? $" in {string.Join(", ", users)}"
                    : resource.Annotations.OfType<RenderedChildren>().Any() ? " (as an argument or custom resource, not a pod container)"
                    : " (the release was not rendered, so where is not known)";
                yield return ($"release '{resource.Urn.Name}' runs '{unpinned.Image}' without a digest{where}: {unpinned.Reason}. "
                    + "Pin it through the chart's values with the digest you pulled (docs/chart-images.md)", resource.Urn);
            }
        }
    }
}
