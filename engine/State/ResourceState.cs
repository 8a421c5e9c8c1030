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
