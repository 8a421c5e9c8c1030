using System.Text.Json.Nodes;

namespace Llmctl.Engine.State;

/// <summary>
/// The deployment of one stack (Pulumi's <c>CheckpointV3.latest</c>): resources in dependency order — the root
/// <c>pulumi:pulumi:Stack</c> first, carrying the stack outputs — and operations still pending.
/// </summary>
public sealed record StackCheckpoint
{
    public required string Stack { get; init; }
    public required string Project { get; init; }
    public IReadOnlyList<ResourceState> Resources { get; init; } = [];
    public IReadOnlyList<PendingOperation> PendingOperations { get; init; } = [];
    /// <summary>The <c>encryptionsalt</c> the secrets in this checkpoint were encrypted under, if any.</summary>
    public string? SecretsSalt { get; init; }
    public DateTimeOffset? Time { get; init; }
    /// <summary>Resources not yet recorded as anything but their outputs: the stack outputs on the root.</summary>
    public JsonObject StackOutputs => Resources.FirstOrDefault(r => r.Type == Model.StackResource.TypeToken)?.Outputs ?? new JsonObject();

    public static StackCheckpoint Empty(string project, string stack) => new() { Project = project, Stack = stack };
}

/// <summary>A stack known to a backend.</summary>
public sealed record StackSummary(string Project, string Stack, DateTimeOffset? LastUpdate, int ResourceCount, string? Location);
