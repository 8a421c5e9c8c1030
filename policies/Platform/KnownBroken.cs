using Llmctl.Components.Models;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;

namespace Llmctl.Policies.Platform;

/// <summary>
/// A lane whose profile the stack marks broken (<see cref="Components.Models.KnownBroken"/>, with the reason) stays
/// parked: seed 002's NVFP4 experiment fails to load with an lm_head.input_scale mismatch, which is not an OOM and
/// will not get better by retrying.
/// </summary>
public sealed class KnownBroken : IStackPolicy
{
    public const string PolicyName = "known-broken";

    public string Name => PolicyName;
    public string Description => "Lanes the stack marks broken (with the reason) cannot be activated.";
    public EnforcementLevel DefaultEnforcement => EnforcementLevel.Mandatory;

    public IEnumerable<PolicyFinding> Validate(StackContext stack)
    {
        foreach (var lane in Lanes.All(stack).Where(l => l.Running))
        {
            if (lane.Find<Components.Models.KnownBroken>() is not { } broken) continue;
            yield return ($"lane '{lane.Annotation.Name}' is marked broken: {broken.Reason}. Keep it parked (active: false), or fix the "
                + "profile and remove its 'broken' entry once it loads", lane.Workload.Owner.Urn);
        }
    }
}
