using System.Text.Json.Nodes;

namespace Llmctl.Engine.Policy;

/// <summary>
/// How one stack runs its policies (<c>llmctl:policies</c> in its stack file): a level for every policy
/// (<see cref="PolicyRunner.AllPolicies"/>), and per policy a level and options. Absent entries keep the policy's
/// default level and default options.
/// </summary>
public sealed record PolicySettings
{
    public static PolicySettings Default { get; } = new();

    /// <summary>The level of every policy without one of its own (<c>all:</c>); null: each policy's default.</summary>
    public EnforcementLevel? All { get; init; }

    /// <summary>Per policy name: its level (null: <see cref="All"/> or its default) and its options (null: none).</summary>
    public IReadOnlyDictionary<string, (EnforcementLevel? Level, JsonObject? Options)> Policies { get; init; } =
        new Dictionary<string, (EnforcementLevel?, JsonObject?)>(StringComparer.Ordinal);

    /// <summary>Levels only, as older callers give them (<c>{name: level}</c>, <c>all</c> for every policy).</summary>
    public static PolicySettings FromLevels(IReadOnlyDictionary<string, EnforcementLevel> levels)
    {
        ArgumentNullException.ThrowIfNull(levels);
        return new PolicySettings
        {
            All = levels.TryGetValue(PolicyRunner.AllPolicies, out var all) ? all : null,
            Policies = levels.Where(kv => kv.Key != PolicyRunner.AllPolicies)
                .ToDictionary(kv => kv.Key, kv => ((EnforcementLevel?)kv.Value, (JsonObject?)null), StringComparer.Ordinal),
        };
    }
}

/// <summary>A policy that takes options from the stack file; <see cref="Configure"/> returns a configured copy.</summary>
public interface IConfigurablePolicy : IPolicy
{
    /// <summary>The option names it reads, for the message about an unknown one.</summary>
    IReadOnlyCollection<string> OptionNames { get; }

    /// <summary>A copy of the policy with <paramref name="options"/>; throws <see cref="PolicySettingsException"/> naming the bad option.</summary>
    IPolicy Configure(JsonObject options);
}

/// <summary>The stack's policy settings name a policy that does not exist, or give a bad option; a configuration error.</summary>
public sealed class PolicySettingsException(string keyPath, string message) : Exception(message)
{
    /// <summary>Where under <c>llmctl:policies</c> (<c>vram-fit.marginPercent</c>).</summary>
    public string KeyPath { get; } = keyPath;
}

/// <summary>One policy as a run saw it: its pack, and the level it ran at (disabled: it did not run).</summary>
public sealed record PolicyRun(string PackName, string PackVersion, IPolicy Policy, EnforcementLevel Level);

/// <summary>What a policy run did: every policy with its level, and the violations. Printed on every preview.</summary>
public sealed record PolicyReport(IReadOnlyList<PolicyRun> Policies, IReadOnlyList<Violation> Violations)
{
    public static PolicyReport Empty { get; } = new([], []);

    public IEnumerable<string> Packs => Policies.Select(p => p.PackName).Distinct(StringComparer.Ordinal);

    public int Ran(string pack) => Policies.Count(p => p.PackName == pack && p.Level != EnforcementLevel.Disabled);

    public int Disabled(string pack) => Policies.Count(p => p.PackName == pack && p.Level == EnforcementLevel.Disabled);

    /// <summary>Policies of <paramref name="pack"/> that ran and found nothing.</summary>
    public int Passed(string pack) => Policies.Count(p => p.PackName == pack && p.Level != EnforcementLevel.Disabled
        && !Violations.Any(v => v.PackName == pack && v.PolicyName == p.Policy.Name));

    public int Count(string pack, EnforcementLevel level) => Violations.Count(v => v.PackName == pack && v.Enforcement == level);

    public bool Blocked => Violations.Any(v => v.Enforcement == EnforcementLevel.Mandatory);
}
