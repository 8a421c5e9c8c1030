using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Providers;
using Llmctl.Engine.State;

namespace Llmctl.Engine.Deployment;

/// <summary>What a refresh found: per resource, unchanged, changed outputs (update) or gone (delete).</summary>
public sealed record RefreshResult(Plan Plan, StackCheckpoint Refreshed, IReadOnlyList<StepFailure> Failures);

/// <summary>
/// Reads every custom resource of the checkpoint back from its provider (Pulumi's <c>refresh</c>): outputs that
/// drifted are updated, objects that vanished are dropped. Reads run concurrently within the parallelism bound.
/// </summary>
public sealed class Refresher(ProviderRegistry providers)
{
    /// <param name="targets">Only these resources are read (<c>-t/--target</c>); the others stay as recorded.</param>
    /// <param name="targetDependents">With <paramref name="targets"/>: also what depends on them.</param>
    public async Task<RefreshResult> RefreshAsync(StackCheckpoint current, int parallelism = 16, CancellationToken cancellationToken = default,
        TargetSet? targets = null, bool targetDependents = false)
    {
        using var slots = new SemaphoreSlim(Math.Max(1, parallelism));
        var recordedProviders = ProviderStates.Of(current);
        var targeted = targets is null ? null : Targeting.Select(current.Resources.Select(r => (r.Urn, r, false)), targets, targetDependents);
        var reads = current.Resources.Select(async Task<(Step Step, StepFailure? Failure)> (r) =>
        {
            if (!r.Custom || r.Id is null || targeted?.Contains(r.Urn) == false) return (new Step { Op = StepOp.Same, Urn = r.Urn, Type = r.Type, Old = r, New = r }, null);
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var live = await recordedProviders.For(providers, r).ReadAsync(r.Urn, r.Type, r.Id, r.Inputs, r.Outputs, cancellationToken).ConfigureAwait(false);
                if (live is null) return (new Step { Op = StepOp.Delete, Urn = r.Urn, Type = r.Type, Old = r }, null);
                var refreshed = r with { Id = live.Id, Outputs = KeepSecrets(r.Outputs, live.Outputs), Inputs = live.Inputs ?? r.Inputs };
                var diffs = InputDiff.Compute(r.Outputs, refreshed.Outputs);
                if (diffs.Count == 0 && JsonNode.DeepEquals(r.Inputs, refreshed.Inputs))
                {
                    return (new Step { Op = StepOp.Same, Urn = r.Urn, Type = r.Type, Old = r, New = refreshed }, null);
                }
                return (new Step
                {
                    Op = StepOp.Update, Urn = r.Urn, Type = r.Type, Old = r, New = refreshed,
                    DetailedDiff = diffs, DiffReasons = diffs.Select(d => InputDiff.TopLevelKey(d.Path)).Distinct().ToList(),
                }, null);
            }
            catch (Exception ex) when (ex is ProviderException or HttpRequestException or IOException or TimeoutException)
            {
                return (new Step { Op = StepOp.Same, Urn = r.Urn, Type = r.Type, Old = r, New = r }, new StepFailure(r.Urn, ex.Message, FailureKind.Provider));
            }
            finally
            {
                slots.Release();
            }
        }).ToList();
        var results = await Task.WhenAll(reads).ConfigureAwait(false);
        var steps = results.Select(x => x.Step).ToList();
        var refreshed = current with
        {
            Resources = steps.Where(s => s.Op != StepOp.Delete).Select(s => s.New!).ToList(),
            PendingOperations = current.PendingOperations,
        };
        IReadOnlyList<Diagnostic> diagnostics = targets is null ? [] : Targeting.NotFound(targets, current.Resources.Select(r => r.Urn)).ToList();
        var plan = new Plan { Project = current.Project, Stack = current.Stack, Steps = steps, Diagnostics = diagnostics };
        return new RefreshResult(plan, refreshed, results.Select(x => x.Failure).OfType<StepFailure>().ToList());
    }

    /// <summary>A value that was secret stays secret when the provider reads it back in plain form.</summary>
    private static JsonObject KeepSecrets(JsonObject before, JsonObject after)
    {
        var result = (JsonObject)after.DeepClone();
        foreach (var (key, value) in before)
        {
            if (PropertyValues.IsSecret(value) && result.TryGetPropertyValue(key, out var now) && !PropertyValues.IsSecret(now))
            {
                result[key] = PropertyValues.Secret(now);
            }
        }
        return result;
    }
}
