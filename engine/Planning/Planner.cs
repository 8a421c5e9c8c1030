using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Providers;
using Llmctl.Engine.State;

namespace Llmctl.Engine.Planning;

/// <summary>Options that narrow or widen a plan.</summary>
public sealed record PlanOptions
{
    /// <summary>URNs to replace even when nothing changed (<c>--replace</c>).</summary>
    public IReadOnlySet<string> Replace { get; init; } = new HashSet<string>();

    /// <summary>How many provider diffs (live dry-runs, with <c>--refresh</c>) may be in flight at once.</summary>
    public int Concurrency { get; init; } = 32;

    /// <summary>Only these resources are planned (<c>-t/--target</c>); null: all of them. See <see cref="Targeting"/>.</summary>
    public TargetSet? Targets { get; init; }

    /// <summary>With <see cref="Targets"/>: also everything that depends on a target (<c>--target-dependents</c>).</summary>
    public bool TargetDependents { get; init; }
}

/// <summary>
/// Compares the desired tree a stack program registered with the checkpoint and produces the ordered steps.
/// Registration order is already topological (a resource can only depend on, or be parented by, one that exists),
/// so creates and updates keep it; deletes follow, in reverse checkpoint order.
/// </summary>
public sealed class Planner(ProviderRegistry providers)
{
    public const string ProtectedDeleteFormat =
        "resource \"{0}\" cannot be deleted\nbecause it is protected. To unprotect the resource, either remove the `protect` flag from the resource in your Pulumi program and run `llmctl up`, or use the command:\n`llmctl state unprotect '{0}'`";

    public async Task<Plan> PlanAsync(StackContext desired, StackCheckpoint? current, PlanOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(desired);
        options ??= new PlanOptions();
        var old = (current?.Resources ?? []).ToDictionary(r => r.Urn.Value, StringComparer.Ordinal);
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        var known = new KnownOutputs();
        var diagnostics = new List<Diagnostic>();
        var priors = desired.Resources.Select(r => FindPrior(r, old, claimed)).ToList();
        var priorProviders = current is null ? new ProviderStates() : ProviderStates.Of(current);
        // Resources whose last attempt did not finish run again even when their inputs did not change.
        var unfinished = (current?.PendingOperations ?? []).Select(p => p.Resource.Urn.Value)
            .Concat((current?.Resources ?? []).Where(r => r.InitErrors.Count > 0).Select(r => r.Urn.Value))
            .ToHashSet(StringComparer.Ordinal);

        // Custom resources are diffed concurrently (a live diff is a round trip to the cluster each); one whose
        // inputs read another's outputs waits for that one's step, since only an unchanged resource's outputs
        // are known. Components have no provider diff and are settled afterwards, when their children are.
        using var limiter = new SemaphoreSlim(Math.Max(1, options.Concurrency));
        // The default provider of each type's package, looked up once per type rather than once per resource.
        var defaultProviders = new Dictionary<string, Resource?>(StringComparer.Ordinal);
        foreach (var resource in desired.Resources)
        {
            if (resource is CustomResource && !defaultProviders.ContainsKey(resource.Type))
            {
                defaultProviders[resource.Type] = desired.Find(DefaultProviderUrn(desired, resource.Type));
            }
        }
        var tasks = new System.Collections.Concurrent.ConcurrentDictionary<Resource, Task<Step>>();
        for (var i = 0; i < desired.Resources.Count; i++)
        {
            if (desired.Resources[i] is CustomResource custom) tasks[custom] = PlanCustomAsync(custom, priors[i]);
        }
        await Task.WhenAll(tasks.Values).ConfigureAwait(false);
        var steps = new List<Step>(desired.Resources.Count + old.Count);
        for (var i = 0; i < desired.Resources.Count; i++)
        {
            var resource = desired.Resources[i];
            var step = tasks.TryGetValue(resource, out var task)
                ? task.Result
                : DiffComponent(DesiredState(desired, resource, known, priors[i]), priors[i]);
            if (step.Op == StepOp.Replace && priors[i] is { Protect: true } prior)
            {
                diagnostics.Add(new Diagnostic(DiagnosticSeverity.Error, string.Format(ProtectedDeleteFormat, prior.Urn), prior.Urn));
            }
            if (step.Op == StepOp.Same && resource is ComponentResource) known.Set(resource, priors[i]!.Outputs);
            steps.Add(step);
        }

        foreach (var gone in (current?.Resources ?? []).Reverse())
        {
            if (claimed.Contains(gone.Urn.Value)) continue;
            if (gone.Protect)
            {
                diagnostics.Add(new Diagnostic(DiagnosticSeverity.Error, string.Format(ProtectedDeleteFormat, gone.Urn), gone.Urn));
            }
            steps.Add(new Step { Op = StepOp.Delete, Urn = gone.Urn, Type = gone.Type, Old = gone });
        }
        var desiredUrns = desired.Resources.Select(r => r.Urn.Value).ToHashSet(StringComparer.Ordinal);
        steps.AddRange(UnrecordedDeletes(current, desiredUrns));

        if (FindCycle(steps) is { } cycle)
        {
            diagnostics.Add(new Diagnostic(DiagnosticSeverity.Error,
                "dependency cycle: " + string.Join(" -> ", cycle.Select(u => u.Name)) + "; remove one of these dependencies", cycle[0]));
        }
        var plan = new Plan { Project = desired.ProjectName, Stack = desired.StackName, Steps = steps, Diagnostics = diagnostics };
        return options.Targets is { } targets ? Targeting.Restrict(plan, targets, options.TargetDependents) : plan;

        async Task<Step> PlanCustomAsync(CustomResource resource, ResourceState? prior)
        {
            // Its provider's step first, and the default provider's (a resource recorded before provider resources ran on it).
            // (Waiting on one twice is harmless, so repeats are not removed.) Inputs without deferred outputs or
            // unknowns (most) are known to be so at once, and are neither walked for them nor resolved.
            var plain = !PropertyValues.MayContainUnknowns(resource.Inputs);
            foreach (var feeder in plain ? [] : desired.OutputDependencies(resource.Inputs))
            {
                if (tasks.TryGetValue(feeder, out var feederTask)) await feederTask.ConfigureAwait(false);
            }
            if (resource.Provider is { } ownProvider && tasks.TryGetValue(ownProvider, out var ownProviderTask)) await ownProviderTask.ConfigureAwait(false);
            if (defaultProviders[resource.Type] is { } defaultProvider && tasks.TryGetValue(defaultProvider, out var defaultProviderTask))
            {
                await defaultProviderTask.ConfigureAwait(false);
            }
            var state = DesiredState(desired, resource, known, prior, plain);
            var providerStep = resource.Provider is { } p && tasks.TryGetValue(p, out var providerTask) ? providerTask.Result : null;
            if (providerStep is not null)
            {
                // The provider's id is known when it stays (same or updated in place); a new or replaced one gets its id when created.
                var id = providerStep.Op is StepOp.Same or StepOp.Update && providerStep.Old?.Id is { } pid ? pid : PropertyValues.UnknownString;
                state = state with { Provider = new ProviderReference(providerStep.Urn, id).ToString() };
            }
            await limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
            Step step;
            try
            {
                step = await DiffCustomAsync(resource, state, plain, prior, options, providerStep, priorProviders, desired,
                    r => tasks.TryGetValue(r, out var t) ? t : null, cancellationToken).ConfigureAwait(false);
                if (prior is not null && (unfinished.Contains(prior.Urn.Value) || unfinished.Contains(state.Urn.Value)))
                {
                    step = step.Op == StepOp.Same
                        ? step with { Op = StepOp.Update, New = state, Rerun = true }
                        : step with { Rerun = true };
                }
            }
            finally
            {
                limiter.Release();
            }
            if (step.Op == StepOp.Same) known.Set(resource, prior!.Outputs);
            return step;
        }
    }

    /// <summary>A cycle among the desired resources' parents and dependencies, as a path that returns to its start; null if none.</summary>
    public static IReadOnlyList<Urn>? FindCycle(IReadOnlyList<Step> steps)
    {
        // The desired states by URN; an edge to anything else (a resource being deleted, one outside the plan) is no part of a cycle.
        var nodes = new List<ResourceState>(steps.Count);
        var index = new Dictionary<string, int>(steps.Count, StringComparer.Ordinal);
        foreach (var step in steps)
        {
            if (step.New is null) continue;
            index.Add(step.Urn.Value, nodes.Count);
            nodes.Add(step.New);
        }
        var state = new byte[nodes.Count];
        var path = new List<int>();
        for (var start = 0; start < nodes.Count; start++)
        {
            if (Visit(start) is { } found) return found;
        }
        return null;

        List<Urn>? Visit(int node)
        {
            if (state[node] == 2) return null;
            if (state[node] == 1)
            {
                var from = path.IndexOf(node);
                return [.. path.Skip(from).Select(i => nodes[i].Urn), nodes[node].Urn];
            }
            state[node] = 1;
            path.Add(node);
            foreach (var edge in nodes[node].OrderingEdges())
            {
                if (index.TryGetValue(edge.Value, out var next) && Visit(next) is { } found) return found;
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
    }

    /// <summary>
    /// A plan that deletes everything in the checkpoint, in reverse dependency order; with <paramref name="targets"/>,
    /// only those (and with <paramref name="targetDependents"/> what depends on them), see <see cref="Targeting"/>.
    /// </summary>
    public static Plan PlanDestroy(StackCheckpoint current, TargetSet? targets = null, bool targetDependents = false)
    {
        var all = PlanDestroy(current);
        return targets is null ? all : Targeting.Restrict(all, targets, targetDependents);
    }

    private static Plan PlanDestroy(StackCheckpoint current)
    {
        var diagnostics = new List<Diagnostic>();
        var steps = new List<Step>();
        foreach (var gone in current.Resources.Reverse())
        {
            if (gone.Protect) diagnostics.Add(new Diagnostic(DiagnosticSeverity.Error, string.Format(ProtectedDeleteFormat, gone.Urn), gone.Urn));
            steps.Add(new Step { Op = StepOp.Delete, Urn = gone.Urn, Type = gone.Type, Old = gone });
        }
        steps.AddRange(UnrecordedDeletes(current, new HashSet<string>(StringComparer.Ordinal)));
        return new Plan { Project = current.Project, Stack = current.Stack, Steps = steps, Diagnostics = diagnostics };
    }

    /// <summary>
    /// Pending operations left by a run that did not finish, for resources that are neither in the checkpoint nor in
    /// the program any more: the object may exist on the server with nothing recording it, so each becomes a delete
    /// that looks the object up first (never dropped silently).
    /// </summary>
    private static IEnumerable<Step> UnrecordedDeletes(StackCheckpoint? current, IReadOnlySet<string> desired)
    {
        if (current is null) yield break;
        var recorded = current.Resources.Select(r => r.Urn.Value).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var op in current.PendingOperations.Reverse())
        {
            var urn = op.Resource.Urn;
            if (!op.Resource.Custom || recorded.Contains(urn.Value) || desired.Contains(urn.Value) || !seen.Add(urn.Value)) continue;
            yield return new Step { Op = StepOp.Delete, Urn = urn, Type = op.Resource.Type, Old = op.Resource with { Protect = false }, Unrecorded = true, Rerun = true };
        }
    }

    private static ResourceState? FindPrior(Resource resource, Dictionary<string, ResourceState> old, HashSet<string> claimed)
    {
        if (old.TryGetValue(resource.Urn.Value, out var same))
        {
            claimed.Add(same.Urn.Value);
            return same;
        }
        foreach (var alias in AliasUrns(resource))
        {
            if (old.TryGetValue(alias.Value, out var aliased) && claimed.Add(alias.Value)) return aliased;
        }
        return null;
    }

    /// <summary>The URNs a resource's aliases stand for (Pulumi's alias resolution).</summary>
    public static IEnumerable<Urn> AliasUrns(Resource resource)
    {
        foreach (var alias in resource.RawOptions.Aliases)
        {
            if (alias.Urn is not null)
            {
                yield return new Urn(alias.Urn);
                continue;
            }
            string? parentQualified;
            if (alias.NoParent) parentQualified = null;
            else if (alias.Parent is not null) parentQualified = alias.Parent is StackResource ? null : alias.Parent.Urn.QualifiedType;
            else if (alias.ParentUrn is not null) parentQualified = new Urn(alias.ParentUrn) is var p && p.Type == StackResource.TypeToken ? null : p.QualifiedType;
            else parentQualified = resource.Parent is null or StackResource ? null : resource.Parent.Urn.QualifiedType;
            yield return Urn.Create(
                alias.Stack ?? resource.Context.StackName,
                alias.Project ?? resource.Context.ProjectName,
                parentQualified,
                alias.Type ?? resource.Type,
                alias.Name ?? resource.Name);
        }
    }

    // The resource and its descendants, depth first, as DescendantsAndSelf yields them (without an iterator per level:
    // every resource's dependencies are walked).
    private static void AddSubtree(Resource resource, List<Urn> urns)
    {
        urns.Add(resource.Urn);
        var children = resource.Children;
        for (var i = 0; i < children.Count; i++) AddSubtree(children[i], urns);
    }

    /// <summary>The desired state of one resource, with deferred inputs resolved as far as they are known now.</summary>
    public static ResourceState DesiredState(StackContext context, Resource resource, IOutputSource known, ResourceState? prior) =>
        DesiredState(context, resource, known, prior, plainInputs: false);

    /// <param name="plainInputs">The resource's inputs are known to hold no deferred outputs (<see cref="PropertyValues.MayContainUnknowns"/>).</param>
    private static ResourceState DesiredState(StackContext context, Resource resource, IOutputSource known, ResourceState? prior, bool plainInputs)
    {
        var dependencies = new List<Urn>();
        // Depending on a component means depending on everything under it.
        foreach (var dep in resource.Dependencies) AddSubtree(dep, dependencies);
        JsonObject inputs;
        JsonObject outputs;
        if (resource is CustomResource custom)
        {
            if (plainInputs)
            {
                inputs = custom.Inputs;
            }
            else
            {
                inputs = (JsonObject)context.ResolveOutputs(custom.Inputs, known)!;
                foreach (var feeder in context.OutputDependencies(custom.Inputs)) dependencies.Add(feeder.Urn);
            }
            outputs = prior?.Outputs ?? new JsonObject();
        }
        else
        {
            inputs = new JsonObject();
            // A component's outputs usually read its own children's; they are resolved once everything has run, so
            // they are not dependencies (a parent waiting on its child would be a cycle).
            outputs = (JsonObject)context.ResolveOutputs(((ComponentResource)resource).Outputs, known)!;
        }
        var customOptions = (resource as CustomResource)?.Options;
        return new ResourceState
        {
            Urn = resource.Urn,
            Type = resource.Type,
            Custom = resource.IsCustom,
            Id = prior?.Id,
            Inputs = inputs,
            Outputs = outputs,
            Parent = resource.Parent?.Urn,
            Dependencies = dependencies.Count == 0 ? dependencies : DistinctOthers(dependencies, resource.Urn),
            Protect = resource.Protect,
            RetainOnDelete = resource.RetainOnDelete,
            DeleteBeforeReplace = customOptions?.DeleteBeforeReplace ?? false,
            IgnoreChanges = resource.RawOptions.IgnoreChanges,
            ReplaceOnChanges = resource.RawOptions.ReplaceOnChanges,
            AdditionalSecretOutputs = customOptions?.AdditionalSecretOutputs ?? [],
            Aliases = resource.RawOptions.Aliases.Count == 0 ? [] : AliasUrns(resource).ToList(),
            CustomTimeouts = resource.RawOptions.CustomTimeouts,
            Created = prior?.Created,
            Modified = prior?.Modified,
        };
    }

    /// <summary><paramref name="urns"/> without <paramref name="self"/> and without repeats, in first-seen order.</summary>
    private static List<Urn> DistinctOthers(List<Urn> urns, Urn self)
    {
        if (urns.Count <= 8 && DistinctAndWithout(urns, self)) return urns; // the usual case: a few, nothing to drop
        var seen = new HashSet<Urn>(urns.Count);
        var result = new List<Urn>(urns.Count);
        foreach (var urn in urns)
        {
            if (urn != self && seen.Add(urn)) result.Add(urn);
        }
        return result;
    }

    // Pairwise: for a few URNs, cheaper than a set.
    private static bool DistinctAndWithout(List<Urn> urns, Urn self)
    {
        for (var i = 0; i < urns.Count; i++)
        {
            if (urns[i] == self) return false;
            for (var j = 0; j < i; j++)
            {
                if (urns[j] == urns[i]) return false;
            }
        }
        return true;
    }

    /// <param name="plainInputs">The inputs are known to hold no unknowns (<see cref="PropertyValues.MayContainUnknowns"/>).</param>
    private async Task<Step> DiffCustomAsync(CustomResource resource, ResourceState desired, bool plainInputs, ResourceState? prior, PlanOptions options,
        Step? providerStep, ProviderStates priorProviders, StackContext program, Func<Resource, Task<Step>?> planned, CancellationToken cancellationToken)
    {
        var hasUnknowns = !plainInputs && PropertyValues.ContainsUnknowns(desired.Inputs);
        if (prior is null)
        {
            return new Step { Op = StepOp.Create, Urn = desired.Urn, Type = desired.Type, New = desired, HasUnknowns = hasUnknowns };
        }
        var provider = providerStep is null ? Default(desired.Type) : providers.Resolve(desired.Type, desired.ProviderRef, ConfigOf(providerStep));
        // A provider whose configuration is not known yet (it waits on the cluster being created) is never asked:
        // the generic input diff stands in, and nothing is read from a cluster that may not exist.
        var diff = await DiffAsync(prior, desired, provider, cancellationToken).ConfigureAwait(false);
        var (providerDiff, providerUnknown) = await ProviderChangeAsync(prior, desired, providerStep, priorProviders, program, planned).ConfigureAwait(false);
        if (providerDiff is { } change)
        {
            diff = diff with
            {
                ChangedKeys = [.. diff.ChangedKeys, "provider"],
                ReplaceKeys = change == DiffKind.UpdateReplace ? [.. diff.ReplaceKeys, "provider"] : diff.ReplaceKeys,
                DetailedDiff = [.. diff.DetailedDiff, new PropertyDiff("provider", change, InputDiff: false)],
            };
        }
        hasUnknowns |= providerUnknown;
        if (options.Replace.Contains(desired.Urn.Value))
        {
            diff = diff with { ReplaceKeys = [.. diff.ReplaceKeys, "id"] };
        }
        if (diff.ReplaceKeys.Count > 0)
        {
            return new Step
            {
                Op = StepOp.Replace, Urn = desired.Urn, Type = desired.Type, Old = prior,
                New = desired with { DeleteBeforeReplace = desired.DeleteBeforeReplace || diff.DeleteBeforeReplace },
                DiffReasons = diff.ChangedKeys, ReplaceReasons = diff.ReplaceKeys, DetailedDiff = diff.DetailedDiff, HasUnknowns = hasUnknowns,
            };
        }
        var aliased = prior.Urn != desired.Urn;
        if (diff.ChangedKeys.Count == 0 && !aliased && !providerUnknown)
        {
            return new Step { Op = StepOp.Same, Urn = desired.Urn, Type = desired.Type, Old = prior, New = desired with { Inputs = prior.Inputs } };
        }
        return new Step
        {
            Op = StepOp.Update, Urn = desired.Urn, Type = desired.Type, Old = prior, New = desired,
            DiffReasons = diff.ChangedKeys, DetailedDiff = diff.DetailedDiff, HasUnknowns = hasUnknowns,
        };

        IProvider? Default(string type) => providers.TryGet(type, out var p) ? p : null;
    }

    /// <summary>The URN of the default provider of a type's package in a program.</summary>
    public static Urn DefaultProviderUrn(StackContext program, string type) =>
        Urn.Create(program.StackName, program.ProjectName, null, ProviderResource.TypePrefix + TypeToken.Package(type), ProviderResource.DefaultName);

    /// <summary>The configuration a provider step will leave: its recorded inputs when it stays, its new ones otherwise.</summary>
    private static JsonObject ConfigOf(Step providerStep) => providerStep.Op == StepOp.Same ? providerStep.Old!.Inputs : providerStep.New!.Inputs;

    /// <summary>
    /// How a resource's provider changes. Its provider replaced (pointed at another cluster) replaces it; a move to
    /// another provider resource replaces it when the two configurations point at different systems and updates it
    /// otherwise; unknown when either configuration is not known yet (the apply decides again).
    /// A resource recorded without a provider reference ran on its package's default provider.
    /// </summary>
    private async Task<(DiffKind? Change, bool Unknown)> ProviderChangeAsync(ResourceState prior, ResourceState desired, Step? providerStep,
        ProviderStates priorProviders, StackContext program, Func<Resource, Task<Step>?> planned)
    {
        if (providerStep is null || desired.ProviderRef is not { } now) return (null, false);
        if (providerStep.Op == StepOp.Replace) return (DiffKind.UpdateReplace, false);
        // Its provider changes in a way not known yet (a kubeconfig still to be read back): the apply decides.
        if (providerStep.Op == StepOp.Update && PropertyValues.ContainsUnknowns(ConfigOf(providerStep))) return (DiffKind.Update, true);
        var package = TypeToken.Package(desired.Type);
        var defaultUrn = DefaultProviderUrn(program, desired.Type);
        var before = prior.ProviderRef;
        if ((before?.Urn ?? defaultUrn) == now.Urn) return (null, false);
        JsonObject? oldConfig = null;
        if (before is { } b) oldConfig = priorProviders.ConfigOf(b);
        else if (program.Find(defaultUrn) is { } defaultProvider && planned(defaultProvider) is { } defaultStep) oldConfig = ConfigOf(await defaultStep.ConfigureAwait(false));
        var newConfig = ConfigOf(providerStep);
        if (providers.FactoryFor(package) is not { } factory) return (DiffKind.Update, false);
        if (oldConfig is null || PropertyValues.ContainsUnknowns(oldConfig) || PropertyValues.ContainsUnknowns(newConfig)) return (DiffKind.Update, true);
        return (factory.DiffConfig(oldConfig, newConfig).ReplaceKeys.Count > 0 ? DiffKind.UpdateReplace : DiffKind.Update, false);
    }

    /// <summary>
    /// The diff of one custom resource: <c>ignoreChanges</c> applied first, then the provider's own diff if it has
    /// one, else the generic input diff; <c>replaceOnChanges</c> turns matching changes into a replace.
    /// </summary>
    public Task<DiffResult> DiffAsync(ResourceState prior, ResourceState desired, CancellationToken cancellationToken) =>
        DiffAsync(prior, desired, providers.TryGet(desired.Type, out var provider) ? provider : null, cancellationToken);

    /// <summary>The diff with <paramref name="provider"/> (null: the generic input diff alone).</summary>
    public async Task<DiffResult> DiffAsync(ResourceState prior, ResourceState desired, IProvider? provider, CancellationToken cancellationToken)
    {
        var newInputs = desired.IgnoreChanges.Count > 0
            ? PropertyPaths.ApplyIgnoreChanges(prior.Inputs, desired.Inputs, desired.IgnoreChanges)
            : desired.Inputs;
        DiffResult? providerDiff = null;
        if (provider is not null)
        {
            providerDiff = await provider.DiffAsync(desired.Urn, desired.Type, prior.Id, prior.Inputs, prior.Outputs, newInputs, cancellationToken).ConfigureAwait(false);
        }
        var detailed = providerDiff?.DetailedDiff.ToList() ?? InputDiff.Compute(prior.Inputs, newInputs);
        detailed = InputDiff.MarkReplacements(detailed, desired.ReplaceOnChanges);
        var changed = (providerDiff?.ChangedKeys ?? []).Concat(detailed.Select(d => InputDiff.TopLevelKey(d.Path))).Distinct().ToList();
        var replace = (providerDiff?.ReplaceKeys ?? []).Concat(detailed.Where(d => d.Kind.IsReplace()).Select(d => d.Path)).Distinct().ToList();
        return new DiffResult(changed, replace, detailed, providerDiff?.DeleteBeforeReplace ?? false);
    }

    private static Step DiffComponent(ResourceState desired, ResourceState? prior)
    {
        if (prior is null) return new Step { Op = StepOp.Create, Urn = desired.Urn, Type = desired.Type, New = desired };
        return new Step { Op = StepOp.Same, Urn = desired.Urn, Type = desired.Type, Old = prior, New = desired with { Id = prior.Id } };
    }

    /// <summary>Outputs known while planning: those of resources that will not change.</summary>
    private sealed class KnownOutputs : IOutputSource
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<Resource, JsonObject> _outputs = new();

        public void Set(Resource resource, JsonObject outputs) => _outputs[resource] = outputs;

        public JsonObject? OutputsOf(Resource resource) => _outputs.GetValueOrDefault(resource);
    }
}
