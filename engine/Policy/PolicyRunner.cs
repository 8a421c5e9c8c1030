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
    private readonly PolicySettings _settings;
    private readonly List<(PolicyPack Pack, IPolicy Policy)> _policies = [];

    public PolicyRunner(IEnumerable<PolicyPack> packs, IReadOnlyDictionary<string, EnforcementLevel>? overrides = null)
        : this(packs, overrides is null ? PolicySettings.Default : PolicySettings.FromLevels(overrides))
    {
    }

    /// <summary>
    /// A runner under one stack's <paramref name="settings"/>: a policy name the packs do not have, or options for a
    /// policy that takes none, throws <see cref="PolicySettingsException"/> (a typo must not silently keep a policy on).
    /// </summary>
    public PolicyRunner(IEnumerable<PolicyPack> packs, PolicySettings settings)
    {
        ArgumentNullException.ThrowIfNull(packs);
        ArgumentNullException.ThrowIfNull(settings);
        _packs = packs.ToList();
        _settings = settings;
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
                _policies.Add((pack, Configured(policy)));
            }
        }
        var known = _policies.Select(p => p.Policy.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in settings.Policies.Keys.Where(n => !known.Contains(n)))
        {
            throw new PolicySettingsException(name,
                $"there is no policy '{name}'; the policies are: {string.Join(", ", known.Order(StringComparer.Ordinal))} (and '{AllPolicies}' for every policy)");
        }
    }

    private IPolicy Configured(IPolicy policy)
    {
        if (!_settings.Policies.TryGetValue(policy.Name, out var entry) || entry.Options is not { Count: > 0 } options) return policy;
        if (policy is not IConfigurablePolicy configurable)
        {
            throw new PolicySettingsException($"{policy.Name}.{options.First().Key}", $"policy '{policy.Name}' takes no options; give only its level");
        }
        foreach (var name in options.Select(o => o.Key).Where(k => !configurable.OptionNames.Contains(k)))
        {
            throw new PolicySettingsException($"{policy.Name}.{name}",
                $"policy '{policy.Name}' has no option '{name}'; its options are: {string.Join(", ", configurable.OptionNames)}");
        }
        return configurable.Configure(options);
    }

    /// <summary>Every policy of every pack, configured, with the level it runs at.</summary>
    public IReadOnlyList<PolicyRun> Policies => _policies
        .Select(p => new PolicyRun(p.Pack.Name, p.Pack.Version, p.Policy, EnforcementOf(p.Policy)))
        .ToList();

    public IReadOnlyList<PolicyPack> Packs => _packs;

    /// <summary>The level <paramref name="policy"/> runs at under this runner's overrides.</summary>
    public EnforcementLevel EnforcementOf(IPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (_settings.Policies.TryGetValue(policy.Name, out var own) && own.Level is { } level) return level;
        return _settings.All ?? policy.DefaultEnforcement;
    }

    /// <summary>Every violation: resource policies resource by resource in registration order, then stack policies, then plan policies.</summary>
    public IReadOnlyList<Violation> Run(StackContext stack, Plan? plan = null) => Evaluate(stack, plan).Violations;

    /// <summary>Runs every enabled policy and reports which ran at what level, with the violations (see <see cref="Run"/>).</summary>
    public PolicyReport Evaluate(StackContext stack, Plan? plan = null)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var violations = new List<Violation>();
        var enabled = _policies
            .Select(p => (p.Pack, p.Policy, Level: EnforcementOf(p.Policy)))
            .Where(p => p.Level != EnforcementLevel.Disabled)
            .ToList();
        var resourcePolicies = enabled.Where(p => p.Policy is IResourcePolicy)
            .Select(p => (p.Pack, Policy: (IResourcePolicy)p.Policy, p.Level)).ToList();

        // What several policies read from the stack (its workloads, lanes, objects) is read once for all of them.
        using (PolicyMemo.Open(stack))
        {
            var messages = new List<string>();
            foreach (var resource in stack.Resources)
            {
                foreach (var (pack, policy, level) in resourcePolicies)
                {
                    CollectResource(violations, messages, pack, policy, level, resource);
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
        }
        return new PolicyReport(Policies, violations);
    }

    /// <summary>
    /// <see cref="Collect"/> for one resource policy on one resource, without a delegate and lists per call (it runs
    /// once per resource and policy): <paramref name="messages"/> is scratch space, emptied on entry.
    /// </summary>
    private static void CollectResource(
        List<Violation> into,
        List<string> messages,
        PolicyPack pack,
        IResourcePolicy policy,
        EnforcementLevel level,
        Resource resource)
    {
        messages.Clear();
        try
        {
            foreach (var message in policy.Validate(resource)) messages.Add(message);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            into.Add(Failed(pack, policy, resource.Urn, ex));
            return;
        }
        foreach (var message in messages) into.Add(new Violation(pack.Name, policy.Name, level, message, resource.Urn));
    }

    private static void Collect(
        List<Violation> into,
        PolicyPack pack,
        IPolicy policy,
        EnforcementLevel level,
        Urn? subject,
        Func<IEnumerable<PolicyFinding>> validate)
    {
        List<PolicyFinding> found;
        try
        {
            found = validate().ToList();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            into.Add(Failed(pack, policy, subject, ex));
            return;
        }
        into.AddRange(found.Select(f => new Violation(pack.Name, policy.Name,
            f.Warning && level == EnforcementLevel.Mandatory ? EnforcementLevel.Advisory : level, f.Message, f.Urn)));
    }

    /// <summary>A policy that threw: a mandatory violation naming it (a broken policy must block, not crash the run).</summary>
    private static Violation Failed(PolicyPack pack, IPolicy policy, Urn? subject, Exception ex)
    {
        var where = subject is { } urn ? $" on {urn}" : "";
        return new Violation(pack.Name, policy.Name, EnforcementLevel.Mandatory,
            $"policy '{policy.Name}' of pack '{pack.Name}' failed{where} with {ex.GetType().Name}: {ex.Message}. "
            + "This is a bug in the policy, not in the stack; fix the pack or disable the policy for this stack.",
            subject);
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,100}$")]
    private static partial Regex PolicyName();
}
