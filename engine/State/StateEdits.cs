using Llmctl.Engine.Model;

namespace Llmctl.Engine.State;

/// <summary>
/// Direct edits of a checkpoint, as <c>pulumi state delete</c> and <c>pulumi state rename</c> make them: nothing is
/// touched but the state (the objects themselves stay where they are), and an edit that would leave a resource
/// pointing at nothing is refused with <see cref="StateEditException"/>.
/// </summary>
public static class StateEdits
{
    /// <summary>
    /// Removes <paramref name="urn"/> from the checkpoint. A resource others depend on or are parented to is refused
    /// unless <paramref name="targetDependents"/>, which removes those too (transitively); a protected one is refused
    /// unless <paramref name="force"/>. Returns the new checkpoint and the URNs removed, dependents first.
    /// </summary>
    public static (StackCheckpoint Checkpoint, IReadOnlyList<Urn> Removed) Delete(StackCheckpoint checkpoint, Urn urn, bool targetDependents, bool force)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (checkpoint.Resources.All(r => r.Urn != urn)) throw new StateEditException($"no resource '{urn}' in stack '{checkpoint.Stack}'");
        var removed = new HashSet<Urn> { urn };
        bool grew;
        do
        {
            grew = false;
            foreach (var r in checkpoint.Resources)
            {
                if (removed.Contains(r.Urn) || !DependsOnAny(r, removed)) continue;
                if (!targetDependents)
                {
                    var dependents = checkpoint.Resources.Where(d => d.Urn != urn && DependsOnAny(d, new HashSet<Urn> { urn })).Select(d => $" * {d.Urn}");
                    throw new StateEditException($"'{urn}' can't be safely deleted because the following resources depend on it or are its children:\n"
                        + string.Join('\n', dependents) + "\nDelete those first, or pass --target-dependents to delete them with it.");
                }
                removed.Add(r.Urn);
                grew = true;
            }
        }
        while (grew);
        var protectedOnes = checkpoint.Resources.Where(r => removed.Contains(r.Urn) && r.Protect).Select(r => r.Urn).ToList();
        if (protectedOnes.Count > 0 && !force)
        {
            throw new StateEditException($"can't delete protected resource(s) {string.Join(", ", protectedOnes.Select(u => $"'{u}'"))}; "
                + "remove the protection with `llmctl state unprotect <urn>` or pass --force");
        }
        var result = checkpoint with
        {
            Resources = checkpoint.Resources.Where(r => !removed.Contains(r.Urn)).ToList(),
            // What was pending for a removed resource is no longer llmctl's to settle either.
            PendingOperations = checkpoint.PendingOperations.Where(p => !removed.Contains(p.Resource.Urn)).ToList(),
        };
        return (result, checkpoint.Resources.Select(r => r.Urn).Where(removed.Contains).Reverse().ToList());
    }

    /// <summary>
    /// Gives <paramref name="urn"/> the name <paramref name="newName"/> (its URN's last part), and points every parent,
    /// dependency, provider reference and pending operation that named the old URN at the new one. Children keep their URNs (a URN carries
    /// its parents' types, not their names).
    /// </summary>
    public static (StackCheckpoint Checkpoint, Urn Renamed) Rename(StackCheckpoint checkpoint, Urn urn, string newName)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (string.IsNullOrWhiteSpace(newName) || newName.Contains("::", StringComparison.Ordinal))
        {
            throw new StateEditException($"'{newName}' is not a resource name: it must be non-empty and must not contain '::'");
        }
        if (checkpoint.Resources.All(r => r.Urn != urn)) throw new StateEditException($"no resource '{urn}' in stack '{checkpoint.Stack}'");
        if (urn.Type == StackResource.TypeToken) throw new StateEditException("the root stack resource cannot be renamed");
        var renamed = new Urn($"urn:pulumi:{urn.Stack}::{urn.Project}::{urn.QualifiedType}::{newName}");
        if (renamed == urn) throw new StateEditException($"'{urn}' is already named '{newName}'");
        if (checkpoint.Resources.Any(r => r.Urn == renamed)) throw new StateEditException($"a resource '{renamed}' already exists in stack '{checkpoint.Stack}'");
        Urn Swap(Urn u) => u == urn ? renamed : u;
        ResourceState Repoint(ResourceState r) => r with
        {
            Urn = Swap(r.Urn),
            Parent = r.Parent is { } p ? Swap(p) : null,
            Dependencies = r.Dependencies.Select(Swap).ToList(),
            Provider = r.ProviderRef is { } provider && provider.Urn == urn ? (provider with { Urn = renamed }).ToString() : r.Provider,
        };
        var result = checkpoint with
        {
            Resources = checkpoint.Resources.Select(Repoint).ToList(),
            PendingOperations = checkpoint.PendingOperations.Select(p => p with { Resource = Repoint(p.Resource) }).ToList(),
        };
        return (result, renamed);
    }

    private static bool DependsOnAny(ResourceState r, IReadOnlySet<Urn> urns) => r.OrderingEdges().Any(urns.Contains);
}

/// <summary>A state edit that was refused; the message says why and what to do. Nothing was changed.</summary>
public sealed class StateEditException(string message) : Exception(message);
