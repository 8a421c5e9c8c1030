using Llmctl.Components.Gateway;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;

namespace Llmctl.Policies.Platform;

/// <summary>
/// Clients talk to the gateway's aliases, never to a lane, so every alias must reach exactly one running lane of any
/// runtime (its <see cref="AliasRoutes"/>, replicas read from the lanes' objects). An alias whose lanes are all parked
/// is stranded: requests for it fail. A switch that would strand one is reported by name before anything changes.
/// </summary>
public sealed class AliasBackends : IStackPolicy
{
    public const string PolicyName = "alias-backends";

    public string Name => PolicyName;
    public string Description => "Every gateway alias reaches exactly one running lane (llama.cpp, vLLM or Ollama).";
    public EnforcementLevel DefaultEnforcement => EnforcementLevel.Mandatory;

    public IEnumerable<PolicyFinding> Validate(StackContext stack)
    {
        var lanes = Lanes.All(stack).GroupBy(l => l.Annotation.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Any(l => l.Running), StringComparer.Ordinal);
        foreach (var gateway in stack.Resources.Where(r => r.Annotations.Find<AliasRoutes>() is not null))
        {
            foreach (var route in gateway.Annotations.Find<AliasRoutes>()!.Routes)
            {
                var running = route.Lanes.Where(l => lanes.GetValueOrDefault(l)).ToList();
                if (running.Count == 1) continue;
                yield return running.Count == 0
                    ? ($"alias '{route.Alias}' is stranded: none of its lanes ({string.Join(", ", route.Lanes)}) is running, so requests for it fail; "
                        + "activate one of them, or add a running lane to the alias's lanes", gateway.Urn)
                    : ($"alias '{route.Alias}' reaches {running.Count} running lanes ({string.Join(", ", running)}) but routes to {running[0]} only; "
                        + "keep one of its lanes active, or give the others an alias of their own", gateway.Urn);
            }
        }
    }
}
