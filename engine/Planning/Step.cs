using Llmctl.Engine.Model;
using Llmctl.Engine.State;

namespace Llmctl.Engine.Planning;

/// <summary>Step operations, named as Pulumi's JSON <c>op</c> values.</summary>
public enum StepOp
{
    Same,
    Create,
    Update,
    Delete,
    Replace,
    CreateReplacement,
    DeleteReplaced,
    Read,
    Refresh,
}

public static class StepOps
{
    /// <summary>The JSON name (<c>create-replacement</c>).</summary>
    public static string Json(this StepOp op) => op switch
    {
        StepOp.Same => "same",
        StepOp.Create => "create",
        StepOp.Update => "update",
        StepOp.Delete => "delete",
        StepOp.Replace => "replace",
        StepOp.CreateReplacement => "create-replacement",
        StepOp.DeleteReplaced => "delete-replaced",
        StepOp.Read => "read",
        StepOp.Refresh => "refresh",
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    /// <summary>The two-character preview prefix.</summary>
    public static string Symbol(this StepOp op) => op switch
    {
        StepOp.Same => "  ",
        StepOp.Create => "+ ",
        StepOp.Update => "~ ",
        StepOp.Delete => "- ",
        StepOp.Replace => "+-",
        StepOp.CreateReplacement => "++",
        StepOp.DeleteReplaced => "--",
        StepOp.Read => "> ",
        StepOp.Refresh => "~ ",
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    public static string PastTense(this StepOp op) => op switch
    {
        StepOp.Same => "unchanged",
        StepOp.Create => "created",
        StepOp.Update => "updated",
        StepOp.Delete => "deleted",
        StepOp.Replace => "replaced",
        StepOp.CreateReplacement => "created replacement",
        StepOp.DeleteReplaced => "deleted original",
        StepOp.Read => "read",
        StepOp.Refresh => "refreshed",
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    public static bool IsChange(this StepOp op) => op is not (StepOp.Same or StepOp.Read);
}

/// <summary>How one property path differs (Pulumi's <c>DiffKind</c>).</summary>
public enum DiffKind
{
    Add,
    AddReplace,
    Delete,
    DeleteReplace,
    Update,
    UpdateReplace,
}

public static class DiffKinds
{
    public static string Json(this DiffKind kind) => kind switch
    {
        DiffKind.Add => "add",
        DiffKind.AddReplace => "add-replace",
        DiffKind.Delete => "delete",
        DiffKind.DeleteReplace => "delete-replace",
        DiffKind.Update => "update",
        DiffKind.UpdateReplace => "update-replace",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static bool IsReplace(this DiffKind kind) => kind is DiffKind.AddReplace or DiffKind.DeleteReplace or DiffKind.UpdateReplace;
}

/// <summary>One property path that differs, with its old and new values (secret-wrapped as in the states).</summary>
public sealed record PropertyDiff(string Path, DiffKind Kind, bool InputDiff = true);

/// <summary>
/// What the engine will do to one resource. <see cref="Old"/> is the checkpointed state (null for a create);
/// <see cref="New"/> is the desired state (null for a delete).
/// </summary>
public sealed record Step
{
    public required StepOp Op { get; init; }
    public required Urn Urn { get; init; }
    public required string Type { get; init; }
    public ResourceState? Old { get; init; }
    public ResourceState? New { get; init; }
    /// <summary>Top-level input keys that changed (updates and replaces).</summary>
    public IReadOnlyList<string> DiffReasons { get; init; } = [];
    /// <summary>Keys whose change forces the replace.</summary>
    public IReadOnlyList<string> ReplaceReasons { get; init; } = [];
    public IReadOnlyList<PropertyDiff> DetailedDiff { get; init; } = [];
    /// <summary>Whether the step's inputs still hold values known only after apply.</summary>
    public bool HasUnknowns { get; init; }
    /// <summary>
    /// The last attempt did not finish (a pending operation, or an object recorded not ready): the step runs even
    /// when the inputs did not change.
    /// </summary>
    public bool Rerun { get; init; }
    /// <summary>
    /// A delete of an object a previous run began to create or update and never recorded, for a resource no longer
    /// in the program: the object is looked up on the server and deleted if it is there.
    /// </summary>
    public bool Unrecorded { get; init; }

    /// <summary>The state the step shows: the new one, or the old one for deletes.</summary>
    public ResourceState State => New ?? Old!;
}

public enum DiagnosticSeverity
{
    Debug,
    Info,
    Warning,
    Error,
}

/// <summary>A message attached to the run or to one resource (Pulumi's <c>PreviewDiagnostic</c>).</summary>
public sealed record Diagnostic(DiagnosticSeverity Severity, string Message, Urn? Urn = null)
{
    /// <summary>Pulumi's diag ID where the message is one of Pulumi's (2010 target not found, …; see <see cref="Targeting"/>).</summary>
    public int? Code { get; init; }
}
