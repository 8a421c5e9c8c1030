using System.Text.RegularExpressions;
using Llmctl.Engine.Model;
using Llmctl.Engine.State;

namespace Llmctl.Engine.Planning;

/// <summary>
/// The resources a run is narrowed to (<c>-t/--target</c>, Pulumi's <c>UrnTargets</c>): each pattern is a URN, or a
/// glob in which <c>**</c> matches anything and <c>*</c> anything but a <c>:</c> (so within one URN segment).
/// </summary>
public sealed class TargetSet
{
    private readonly Regex[] _globs;

    private TargetSet(IReadOnlyList<string> patterns)
    {
        Patterns = patterns;
        _globs = patterns.Select(Glob).ToArray();
    }

    public IReadOnlyList<string> Patterns { get; }

    /// <summary>The set, or null when no pattern was given (nothing is narrowed).</summary>
    public static TargetSet? From(IEnumerable<string>? patterns)
    {
        var list = (patterns ?? []).Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p.Trim()).Distinct(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? null : new TargetSet(list);
    }

    public bool Matches(Urn urn) => _globs.Any(g => g.IsMatch(urn.Value));

    public bool Matches(string pattern, Urn urn) => _globs[IndexOf(pattern)].IsMatch(urn.Value);

    private int IndexOf(string pattern)
    {
        for (var i = 0; i < Patterns.Count; i++)
        {
            if (Patterns[i] == pattern) return i;
        }
        throw new ArgumentException($"'{pattern}' is not one of the targets", nameof(pattern));
    }

    private static Regex Glob(string pattern)
    {
        var regex = Regex.Escape(pattern).Replace(@"\*\*", "\u0001", StringComparison.Ordinal).Replace(@"\*", "[^:]*", StringComparison.Ordinal)
            .Replace("\u0001", ".*", StringComparison.Ordinal);
        return new Regex("^" + regex + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}

/// <summary>
/// Narrows a plan to its targets as Pulumi's step generator does. A targeted resource (and, with
/// <c>--target-dependents</c>, everything that depends on it or is parented by it, transitively) is planned as usual;
/// any other is kept exactly as the checkpoint has it: its update becomes <c>same</c>, its delete is not run, and its
/// create is skipped. The root stack and provider resources are targeted implicitly. A run that would leave the state
/// inconsistent is refused with Pulumi's diagnostics (the codes are Pulumi's diag IDs):
/// <list type="bullet">
/// <item>2010 — a target matches no resource of the stack or the program;</item>
/// <item>2013 — a targeted resource depends on one that does not exist and is not targeted (its create would be skipped);</item>
/// <item>2014 / 2012 — a targeted delete would leave an untargeted dependent (or child) pointing at nothing.</item>
/// </list>
/// </summary>
public static class Targeting
{
    public const int TargetNotFound = 2010;
    public const int ParentWithoutChild = 2012;
    public const int UntargetedCreate = 2013;
    public const int UntargetedDestroy = 2014;

    /// <summary>Whether <paramref name="diagnostic"/> is a refusal of the <c>--target</c> list (fixed on the command line).</summary>
    public static bool IsTargetError(Diagnostic diagnostic) =>
        diagnostic.Code is TargetNotFound or ParentWithoutChild or UntargetedCreate or UntargetedDestroy;

    /// <summary>The plan narrowed to <paramref name="targets"/>; refusals are added to its diagnostics as errors.</summary>
    public static Plan Restrict(Plan plan, TargetSet targets, bool targetDependents)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(targets);
        var diagnostics = plan.Diagnostics.ToList();
        diagnostics.AddRange(NotFound(targets, plan.Steps.Select(s => s.Urn).Concat(plan.Steps.Where(s => s.Old is not null).Select(s => s.Old!.Urn))));
        // A resource renamed through an alias is targeted by its old URN too.
        var formerUrns = plan.Steps.Where(s => s.Old is { } o && o.Urn != s.Urn).ToDictionary(s => s.Urn, s => s.Old!.Urn);
        var targeted = Select(plan.Steps.Select(s => (s.Urn, s.New ?? s.Old!, s.Op != StepOp.Delete && IsImplicit(s.Type))), targets, targetDependents, formerUrns);

        var steps = new List<Step>(plan.Steps.Count);
        var skippedCreates = new HashSet<Urn>();
        foreach (var step in plan.Steps)
        {
            if (targeted.Contains(step.Urn))
            {
                steps.Add(step);
                continue;
            }
            switch (step.Op)
            {
                case StepOp.Create:
                    skippedCreates.Add(step.Urn);
                    break;
                case StepOp.Delete:
                    // Not targeted: the old state stays in the checkpoint as it is.
                    break;
                case StepOp.Same:
                    steps.Add(step);
                    break;
                default:
                    steps.Add(new Step { Op = StepOp.Same, Urn = step.Old!.Urn, Type = step.Old.Type, Old = step.Old, New = step.Old });
                    break;
            }
        }

        foreach (var step in steps.Where(s => s.Op.IsChange() && s.New is not null))
        {
            foreach (var dep in DependenciesOf(step.New!).Where(skippedCreates.Contains).Distinct())
            {
                diagnostics.Add(new Diagnostic(DiagnosticSeverity.Error,
                    $"Resource '{step.Urn}' depends on '{dep}' which was not specified in --target list.", step.Urn) { Code = UntargetedCreate });
            }
        }

        // What the checkpoint keeps after the run: every step's resource except deletes that run and skipped creates,
        // and the old state of every delete that does not run.
        var deleted = steps.Where(s => s.Op == StepOp.Delete).Select(s => s.Urn).ToHashSet();
        var survivors = steps.Where(s => s.Op != StepOp.Delete).Select(s => s.New ?? s.Old!)
            .Concat(plan.Steps.Where(s => s.Op == StepOp.Delete && !targeted.Contains(s.Urn)).Select(s => s.Old!));
        diagnostics.AddRange(Orphans(survivors, deleted));
        return plan with { Steps = steps, Diagnostics = diagnostics };
    }

    /// <summary>
    /// The targeted URNs among <paramref name="resources"/>: those a pattern matches (by URN, or by the old URN an alias
    /// renamed), implicit ones, and with <paramref name="targetDependents"/> everything depending on or parented by a
    /// targeted one, transitively.
    /// </summary>
    public static HashSet<Urn> Select(IEnumerable<(Urn Urn, ResourceState State, bool Implicit)> resources, TargetSet targets, bool targetDependents,
        IReadOnlyDictionary<Urn, Urn>? formerUrns = null)
    {
        var list = resources.ToList();
        var targeted = list.Where(r => r.Implicit || targets.Matches(r.Urn) || (formerUrns is not null && formerUrns.TryGetValue(r.Urn, out var former) && targets.Matches(former)))
            .Select(r => r.Urn).ToHashSet();
        if (!targetDependents) return targeted;
        // Implicit targets (the root stack, providers) do not pull in their dependents: everything is parented by the stack.
        var roots = list.Where(r => !r.Implicit || targets.Matches(r.Urn)).Select(r => r.Urn).Where(targeted.Contains).ToHashSet();
        bool grew;
        do
        {
            grew = false;
            foreach (var (urn, state, _) in list)
            {
                if (roots.Contains(urn) || !DependenciesOf(state).Any(roots.Contains)) continue;
                roots.Add(urn);
                targeted.Add(urn);
                grew = true;
            }
        }
        while (grew);
        return targeted;
    }

    /// <summary>Pulumi's 2010 for each pattern that matches none of <paramref name="urns"/>.</summary>
    public static IEnumerable<Diagnostic> NotFound(TargetSet targets, IEnumerable<Urn> urns)
    {
        var all = urns.Distinct().ToList();
        foreach (var pattern in targets.Patterns)
        {
            if (all.Any(u => targets.Matches(pattern, u))) continue;
            // A shell expands $Type in an unquoted URN to nothing: say so when the URN lost its parent-type separator.
            var hint = !pattern.Contains('$', StringComparison.Ordinal) && all.Any(u => u.Value.Contains('$', StringComparison.Ordinal))
                ? " Did you forget to escape $ in your shell?"
                : "";
            yield return new Diagnostic(DiagnosticSeverity.Error, $"Target '{pattern}' could not be found in the stack.{hint}") { Code = TargetNotFound };
        }
    }

    /// <summary>Pulumi's 2012/2014 for each surviving resource whose parent or dependency is deleted.</summary>
    public static IEnumerable<Diagnostic> Orphans(IEnumerable<ResourceState> survivors, IReadOnlySet<Urn> deleted)
    {
        if (deleted.Count == 0) yield break;
        foreach (var survivor in survivors)
        {
            if (survivor.Parent is { } parent && deleted.Contains(parent))
            {
                yield return new Diagnostic(DiagnosticSeverity.Error,
                    $"Cannot delete parent resource '{parent}' without also deleting child '{survivor.Urn}'. Either include the child in the --target list or pass --target-dependents.",
                    parent) { Code = ParentWithoutChild };
            }
            else if (survivor.Dependencies.Any(deleted.Contains))
            {
                yield return new Diagnostic(DiagnosticSeverity.Error,
                    $"Resource '{survivor.Urn}' will be destroyed but was not specified in --target list.\nEither include resource in --target list or pass --target-dependents to proceed.",
                    survivor.Urn) { Code = UntargetedDestroy };
            }
        }
    }

    /// <summary>A resource's parent and dependencies: what must exist before it, and outlive it.</summary>
    public static IEnumerable<Urn> DependenciesOf(ResourceState state) => state.OrderingEdges();

    /// <summary>The root stack and provider resources are always part of a run, as in Pulumi (pulumi/pulumi#13557).</summary>
    public static bool IsImplicit(string type) =>
        type == StackResource.TypeToken || type.StartsWith("pulumi:providers:", StringComparison.Ordinal);
}
