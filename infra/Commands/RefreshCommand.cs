using System.CommandLine;
using Llmctl.Engine.Deployment;
using Llmctl.Infra.Cli;

namespace Llmctl.Infra.Commands;

/// <summary><c>llmctl refresh</c>: read every resource back and record what drifted or vanished.</summary>
internal static class RefreshCommand
{
    public static readonly Option<bool> PreviewOnly = new("--preview-only") { Description = "Show what the refresh would record, and record nothing" };

    public static Command Build(CliContext cli)
    {
        var command = new Command("refresh", "Read live resources and update the checkpoint to match")
        {
            UpCommand.Yes, UpCommand.SkipPreview, UpCommand.Parallel, PreviewOnly, PreviewCommand.Json, PreviewCommand.Diff, PreviewCommand.ExpectNoChanges,
            PreviewCommand.Target, PreviewCommand.TargetDependents,
        };
        command.SetAction((parse, ct) => RunAsync(cli, parse, ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext cli, ParseResult parse, CancellationToken ct)
    {
        var previewOnly = parse.GetValue(PreviewOnly);
        var yes = parse.GetValue(UpCommand.Yes);
        if (!previewOnly) UpCommand.RequireConfirmationPossible(cli, parse, yes, "refresh");
        var ws = StackWorkspace.Open(cli, parse);
        await using var stackLock = await StackLocks.TakeAsync(cli, ws.Backend, ws.Project, ws.Stack, "refresh", ct);
        var checkpoint = await ws.LoadCheckpointAsync(ct);
        var started = DateTimeOffset.UtcNow;
        var result = await new Refresher(ws.Providers()).RefreshAsync(checkpoint, parse.GetValue(UpCommand.Parallel), ct,
            PreviewCommand.Targets(parse), parse.GetValue(PreviewCommand.TargetDependents));
        ws.Log.Plan(result.Plan);
        var view = Views.For(cli, parse);
        if (parse.GetValue(PreviewCommand.Json)) view.Json(result.Plan, [], ws);
        else if (!parse.GetValue(UpCommand.SkipPreview)) view.Preview(result.Plan, [], parse.GetValue(PreviewCommand.Diff), false, false);
        var blocked = PreviewCommand.Outcome(result.Plan, [], expectNoChanges: false, cli);
        if (blocked != ExitCodes.Ok) return blocked;
        foreach (var failure in result.Failures) cli.Err.WriteLine($"error: {failure.Urn}: {failure.Message}");
        if (result.Failures.Count > 0)
        {
            if (!previewOnly)
            {
                await UpdateHistory.AppendAsync(ws, Engine.State.UpdateRecord.Refresh, started, Engine.State.UpdateRecord.Failed, UpdateHistory.Changes(result.Plan),
                    $"{result.Failures.Count} resource(s) could not be read: " + string.Join("; ", result.Failures.Select(f => f.Urn.Name)));
            }
            return ExitCodes.ResourceError;
        }
        if (parse.GetValue(PreviewCommand.ExpectNoChanges) && result.Plan.HasChanges)
        {
            cli.Err.WriteLine("error: no changes were expected but the refresh found drift");
            return ExitCodes.ChangesNotExpected;
        }
        if (previewOnly) return ExitCodes.Ok;
        if (!result.Plan.HasChanges)
        {
            await UpdateHistory.AppendAsync(ws, Engine.State.UpdateRecord.Refresh, started, Engine.State.UpdateRecord.Succeeded, UpdateHistory.Changes(result.Plan), "");
            return ExitCodes.Ok;
        }
        if (!yes && !UpCommand.Confirm(cli, "Do you want to perform this refresh?")) return ExitCodes.Cancelled;
        await ws.Backend.SaveAsync(result.Refreshed, ws.Crypter, ct);
        await UpdateHistory.AppendAsync(ws, Engine.State.UpdateRecord.Refresh, started, Engine.State.UpdateRecord.Succeeded, UpdateHistory.Changes(result.Plan), "");
        cli.Out.WriteLine($"Refreshed {result.Plan.Steps.Count(s => s.Op != Engine.Planning.StepOp.Same)} resource(s).");
        return ExitCodes.Ok;
    }
}
