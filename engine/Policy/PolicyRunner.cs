using System.Text.RegularExpressions;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;

namespace Llmctl.Engine.Policy;

/// <summary>
/// Runs policy packs over every resource, over the whole stack and, when given, over the plan. Each policy's level is
/// the stack's override for its name, else the override for <see cref="AllPolicies"/>, else its default; disabled
/// policies are not run. A policy that throws becomes a mandatory violation naming it: a broken policy must block,
/// not crash the run and not pass silently.
/// </summary>
public sealed partial class PolicyRunner
{
    /// <summary>The override key that applies to every policy without an override of its own.</summary>
    public const string AllPolicies = "all";

    private readonly IReadOnlyList<PolicyPack> _packs;
    private readonly IReadOnlyDictionary<string, EnforcementLevel> _overrides;

    public PolicyRunner(IEnumerable<PolicyPack> packs, IReadOnlyDictionary<string, EnforcementLevel>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(packs);
        _packs = packs.ToList();
        _overrides = overrides ?? new Dictionary<string, EnforcementLevel>();
        foreach (var pack in _packs)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var policy in pack.Policies)
            {
                if (!PolicyName().IsMatch(policy.Name))
                {
                    throw new ArgumentException($"Policy name '{policy.Name}' in pack '{pack.Name}' must be 1–100 letters, digits, '-', '_' or '.'", nameof(packs));
                }
                if (!names.Add(policy.Name))
                {
                    throw new ArgumentException($"Pack '{pack.Name}' has two policies named '{policy.Name}'", nameof(packs));
                }
            }
        }
    }

    public IReadOnlyList<PolicyPack> Packs => _packs;

    /// <summary>The level <paramref name="policy"/> runs at under this runner's overrides.</summary>
    public EnforcementLevel EnforcementOf(IPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (_overrides.TryGetValue(policy.Name, out var own)) return own;
        if (_overrides.TryGetValue(AllPolicies, out var all)) return all;
        return policy.DefaultEnforcement;
    }

    /// <summary>Every violation: resource policies resource by resource in registration order, then stack policies, then plan policies.</summary>
    public IReadOnlyList<Violation> Run(StackContext stack, Plan? plan = null)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var violations = new List<Violation>();
        var enabled = _packs
            .SelectMany(pack => pack.Policies.Select(policy => (Pack: pack, Policy: policy, Level: EnforcementOf(policy))))
            .Where(p => p.Level != EnforcementLevel.Disabled)
            .ToList();

        foreach (var resource in stack.Resources)
        {
            foreach (var (pack, policy, level) in enabled.Where(p => p.Policy is IResourcePolicy))
            {
                Collect(violations, pack, policy, level, resource.Urn,
                    () => ((IResourcePolicy)policy).Validate(resource).Select(m => (m, (Urn?)resource.Urn)));
            }
        }
        foreach (var (pack, policy, level) in enabled.Where(p => p.Policy is IStackPolicy))
        {
            Collect(violations, pack, policy, level, null, () => ((IStackPolicy)policy).Validate(stack));
        }
        if (plan is not null)
        {
            foreach (var (pack, policy, level) in enabled.Where(p => p.Policy is IPlanPolicy))
            {
                Collect(violations, pack, policy, level, null, () => ((IPlanPolicy)policy).Validate(plan, stack));
            }
        }
        return violations;
    }

    private static void Collect(
        List<Violation> into,
        PolicyPack pack,
        IPolicy policy,
        EnforcementLevel level,
        Urn? subject,
        Func<IEnumerable<(string Message, Urn? Urn)>> validate)
    {
        List<(string Message, Urn? Urn)> found;
        try
        {
            found = validate().ToList();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var where = subject is { } urn ? $" on {urn}" : "";
            into.Add(new Violation(pack.Name, policy.Name, EnforcementLevel.Mandatory,
                $"policy '{policy.Name}' of pack '{pack.Name}' failed{where} with {ex.GetType().Name}: {ex.Message}. "
                + "This is a bug in the policy, not in the stack; fix the pack or disable the policy for this stack.",
                subject));
            return;
        }
        into.AddRange(found.Select(f => new Violation(pack.Name, policy.Name, level, f.Message, f.Urn)));
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,100}$")]
    private static partial Regex PolicyName();
}
