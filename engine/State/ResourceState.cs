using System.Text.Json.Nodes;
using Llmctl.Engine.Model;

namespace Llmctl.Engine.State;

/// <summary>
/// One resource as the checkpoint records it (Pulumi's <c>ResourceV3</c>), and as the planner sees the desired
/// side. Inputs and outputs hold secrets as wrappers (see <see cref="PropertyValues"/>); the backend encrypts them
/// on the way to disk.
/// </summary>
public sealed record ResourceState
{
    public required Urn Urn { get; init; }
    public required string Type { get; init; }
    public bool Custom { get; init; }
    /// <summary>Provider-assigned id; empty until created.</summary>
    public string? Id { get; init; }
    public JsonObject Inputs { get; init; } = new();
    public JsonObject Outputs { get; init; } = new();
    public Urn? Parent { get; init; }
    public IReadOnlyList<Urn> Dependencies { get; init; } = [];
    /// <summary>
    /// The provider this resource runs on, as Pulumi records it: <c>&lt;provider urn&gt;::&lt;provider id&gt;</c>
    /// (the id is Pulumi's unknown sentinel while the provider is yet to be created). Null for components, provider
    /// resources, packages without provider resources, and resources recorded before llmctl had provider
    /// resources — those run on the package's provider configured from stack config (the default provider's config).
    /// </summary>
    public string? Provider { get; init; }
    public bool Protect { get; init; }
    public bool RetainOnDelete { get; init; }
    public bool DeleteBeforeReplace { get; init; }
    public IReadOnlyList<string> IgnoreChanges { get; init; } = [];
    public IReadOnlyList<string> ReplaceOnChanges { get; init; } = [];
    public IReadOnlyList<string> AdditionalSecretOutputs { get; init; } = [];
    public IReadOnlyList<Urn> Aliases { get; init; } = [];
    public CustomTimeouts? CustomTimeouts { get; init; }
    /// <summary>
    /// Why the object the provider created or updated is not ready (Pulumi's <c>initErrors</c>): the server accepted
    /// it, but waiting for it failed. The next run updates it again even when its inputs did not change.
    /// </summary>
    public IReadOnlyList<string> InitErrors { get; init; } = [];
    /// <summary>Set between creating a replacement and deleting the replaced object.</summary>
    public bool PendingReplacement { get; init; }
    public DateTimeOffset? Created { get; init; }
    public DateTimeOffset? Modified { get; init; }

    /// <summary>The provider reference parsed, when there is one.</summary>
    public ProviderReference? ProviderRef => ProviderReference.TryParse(Provider, out var r) ? r : null;

    /// <summary>
    /// What this resource must come after (and be deleted before): its parent, its dependencies and its provider.
    /// Pulumi keeps the provider out of <c>dependencies</c>; the engine orders by it all the same.
    /// </summary>
    public IEnumerable<Urn> OrderingEdges()
    {
        if (Parent is { } parent) yield return parent;
        foreach (var dep in Dependencies) yield return dep;
        if (ProviderRef is { } provider) yield return provider.Urn;
    }
}

/// <summary>An operation begun but not yet finished, written before a step runs and cleared after.</summary>
public sealed record PendingOperation(ResourceState Resource, PendingOperationType Type);

public enum PendingOperationType
{
    Creating,
    Updating,
    Deleting,
    Reading,
}
