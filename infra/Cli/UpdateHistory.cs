using Llmctl.Engine.Deployment;
using Llmctl.Engine.Planning;
using Llmctl.Engine.State;

namespace Llmctl.Infra.Cli;

/// <summary>
/// Records each update, refresh, destroy and stack import in the stack's history (<c>llmctl stack history</c>), in
/// whichever backend holds the stack. A history that cannot be written is a warning: the run itself already happened
/// and its exit code stays what the run made it.
/// </summary>
internal static class UpdateHistory
{
    /// <summary>Runs an update (or destroy) and records it, failed when it threw or a step failed.</summary>
    public static async Task<UpdateResult> RecordAsync(StackWorkspace ws, string kind, Func<Task<UpdateResult>> run)
    {
        var start = DateTimeOffset.UtcNow;
        UpdateResult result;
        try
        {
            result = await run().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await AppendAsync(ws, kind, start, UpdateRecord.Failed, new Dictionary<string, int>(),
                // The type only: an exception's text may quote a value, and the history is kept in state.
                $"stopped with an error ({ex.GetType().Name})").ConfigureAwait(false);
            throw;
        }
        var message = result.Failures.Count == 0 ? "" : $"{result.Failures.Count} resource(s) failed: " + string.Join("; ", result.Failures.Select(f => f.Urn.Name));
        await AppendAsync(ws, kind, start, result.Succeeded ? UpdateRecord.Succeeded : UpdateRecord.Failed,
            result.Performed.ToDictionary(kv => kv.Key.Json(), kv => kv.Value), message).ConfigureAwait(false);
        return result;
    }

    /// <summary>Per-operation counts of a plan (an up with nothing to do, a refresh).</summary>
    public static Dictionary<string, int> Changes(Plan plan) => plan.ChangeSummary.ToDictionary(kv => kv.Key.Json(), kv => kv.Value);

    public static async Task AppendAsync(StackWorkspace ws, string kind, DateTimeOffset start, string result, IReadOnlyDictionary<string, int> changes, string message)
    {
        var record = new UpdateRecord
        {
            Kind = kind,
            StartTime = start,
            EndTime = DateTimeOffset.UtcNow,
            Result = result,
            Message = message,
            ResourceChanges = changes,
        };
        try
        {
            var stored = await ws.Backend.AppendHistoryAsync(ws.Project, ws.Stack, record, CancellationToken.None).ConfigureAwait(false);
            ws.Log.Write(1, $"history: recorded {kind} #{stored.Version} ({result}) in {ws.Backend.Url}");
        }
        catch (Exception ex)
        {
            ws.Cli.Err.WriteLine($"warning: the {kind} could not be recorded in the stack's history: {ex.Message}");
        }
    }
}
