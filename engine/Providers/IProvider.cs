using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;

namespace Llmctl.Engine.Providers;

/// <summary>
/// One resource family (Kubernetes objects, remote commands, Tailscale objects). Inputs and outputs passed in and
/// out keep secret wrappers, so a provider can tell which values it must not log.
/// </summary>
public interface IProvider
{
    /// <summary>Validates inputs before planning; returns failures, each naming the property.</summary>
    Task<IReadOnlyList<CheckFailure>> CheckAsync(Urn urn, string type, JsonObject inputs, CancellationToken cancellationToken);

    /// <summary>
    /// Provider-specific diff. Return null to let the engine use its generic input diff (with
    /// <c>ReplaceOnChanges</c> and <c>IgnoreChanges</c>).
    /// </summary>
    Task<DiffResult?> DiffAsync(Urn urn, string type, string? id, JsonObject oldInputs, JsonObject oldOutputs, JsonObject newInputs, CancellationToken cancellationToken);

    Task<ProviderResult> CreateAsync(Urn urn, string type, JsonObject inputs, TimeSpan timeout, CancellationToken cancellationToken);

    Task<ProviderResult> UpdateAsync(Urn urn, string type, string id, JsonObject oldInputs, JsonObject oldOutputs, JsonObject newInputs, TimeSpan timeout, CancellationToken cancellationToken);

    Task DeleteAsync(Urn urn, string type, string id, JsonObject inputs, JsonObject outputs, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Reads the live object; null when it no longer exists.</summary>
    Task<ProviderResult?> ReadAsync(Urn urn, string type, string id, JsonObject inputs, JsonObject outputs, CancellationToken cancellationToken);
}

public sealed record CheckFailure(string Property, string Reason);

/// <summary>A provider's verdict on what changed.</summary>
public sealed record DiffResult(
    IReadOnlyList<string> ChangedKeys,
    IReadOnlyList<string> ReplaceKeys,
    IReadOnlyList<PropertyDiff> DetailedDiff,
    bool DeleteBeforeReplace = false);

/// <summary>The id and outputs a provider reports after create, update or read.</summary>
public sealed record ProviderResult(string Id, JsonObject Outputs, JsonObject? Inputs = null);

/// <summary>A provider operation failed; the message is shown against the resource (exit code 4).</summary>
public sealed class ProviderException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The provider's write was accepted — the object exists on the server — but what came after failed: waiting for
/// readiness, a Job, a rollout. The engine records <see cref="Applied"/> in the checkpoint, marked not ready with
/// the failure as an init error (as Pulumi records a partially created resource), and reports the failure.
/// The inner exception is the failure itself (a <see cref="ProviderException"/>, a <see cref="TimeoutException"/>, …).
/// </summary>
public sealed class PartialApplyException(ProviderResult applied, Exception cause) : Exception(cause.Message, cause)
{
    public ProviderResult Applied { get; } = applied;
}
