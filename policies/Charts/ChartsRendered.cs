using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;
using Llmctl.Policies.Platform;

namespace Llmctl.Policies.Charts;

/// <summary>
/// What could not be checked inside charts, said out loud: a release whose chart was not rendered (no helm, not in
/// the cache, not renderable here) and a release rendered from a package whose digest <c>charts.lock.yaml</c> does not
/// record (unlocked: its content is not verified).
/// </summary>
public sealed class ChartsRendered : IStackPolicy
{
    public const string PolicyName = "charts-rendered";

    public string Name => PolicyName;
    public string Description => "Each Helm release is rendered from a locked, verified chart, so what it creates is checked.";
    public EnforcementLevel DefaultEnforcement => EnforcementLevel.Advisory;

    public IEnumerable<PolicyFinding> Validate(StackContext stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        foreach (var resource in stack.Resources)
        {
            foreach (var missing in resource.Annotations.OfType<RenderedChildrenMissing>())
            {
                yield return ($"release '{resource.Urn.Name}' ({missing.Source}) was not rendered, so the objects it creates were not checked: {missing.Reason}", resource.Urn);
            }
            foreach (var rendered in resource.Annotations.OfType<RenderedChildren>().Where(r => !r.Verified))
            {
                yield return ($"release '{resource.Urn.Name}' was rendered from an UNLOCKED package ({rendered.Source}): charts.lock.yaml records no digest for it, so its content is not verified; run `llmctl charts pull --update-lock` once you trust it", resource.Urn);
            }
        }
    }
}
