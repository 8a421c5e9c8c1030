using Llmctl.Engine.Model;

namespace Llmctl.Engine.State;

/// <summary>
/// The checks Pulumi's snapshot integrity check makes before a deployment is accepted (<c>stack import</c>,
/// <c>state delete</c>): every URN once, every resource of this project and stack, and every parent and dependency
/// a resource listed before it (the resources are in dependency order).
/// </summary>
public static class CheckpointIntegrity
{
    /// <summary>Every problem, each a readable sentence naming the URNs; empty when the checkpoint is sound.</summary>
    public static IReadOnlyList<string> Problems(StackCheckpoint checkpoint, string project, string stack)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var problems = new List<string>();
        var seen = new HashSet<Urn>();
        var all = checkpoint.Resources.Select(r => r.Urn).ToHashSet();
        foreach (var r in checkpoint.Resources)
        {
            if (!seen.Add(r.Urn))
            {
                problems.Add($"duplicate resource URN '{r.Urn}': each resource may appear once");
                continue;
            }
            if (r.Urn.Project != project || r.Urn.Stack != stack)
            {
                problems.Add($"resource '{r.Urn}' belongs to stack '{r.Urn.Stack}' of project '{r.Urn.Project}', not '{stack}' of '{project}'");
            }
            foreach (var (what, other) in (r.Parent is { } p ? new[] { ("parent", p) } : []).Concat(r.Dependencies.Select(d => ("dependency", d))))
            {
                if (!all.Contains(other)) problems.Add($"resource '{r.Urn}' has {what} '{other}', which is not in the deployment");
                else if (!seen.Contains(other)) problems.Add($"resource '{r.Urn}' has {what} '{other}', which comes after it (resources must be listed in dependency order)");
            }
        }
        return problems;
    }
}
