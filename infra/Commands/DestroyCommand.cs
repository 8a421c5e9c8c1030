using System.CommandLine;
using Llmctl.Engine.Deployment;
using Llmctl.Engine.Planning;
using Llmctl.Infra.Cli;

namespace Llmctl.Infra.Commands;

/// <summary><c>llmctl destroy</c>: delete every resource of the stack, dependents first.</summary>
internal static class DestroyCommand
{
    public static Command Build(CliContext cli)
    {
        var command = new Command("destroy", "Delete every resource in the stack")
        {
            UpCommand.Yes, UpCommand.SkipPreview, UpCommand.Parallel, UpCommand.ContinueOnError, PreviewCommand.Json,
            PreviewCommand.Target, PreviewCommand.TargetDependents,
        };
        command.SetAction((parse, ct) => RunAsync(cli, parse, ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext cli, ParseResult parse, CancellationToken ct)
    {
        var yes = parse.GetValue(UpCommand.Yes);
        UpCommand.RequireConfirmationPossible(cli, parse, yes, "destroy");
        var ws = StackWorkspace.Open(cli, parse);
        await using var stackLock = await StackLocks.TakeAsync(cli, ws.Backend, ws.Project, ws.Stack, "destroy", ct);
        var checkpoint = await ws.LoadCheckpointAsync(ct);
        var plan = Planner.PlanDestroy(checkpoint, PreviewCommand.Targets(parse), parse.GetValue(PreviewCommand.TargetDependents));
        ws.Log.Plan(plan);
        var view = Views.For(cli, parse);
        if (!parse.GetValue(UpCommand.SkipPreview) && !parse.GetValue(PreviewCommand.Json)) view.Preview(plan, [], false, false, false);
        var blocked = PreviewCommand.Outcome(plan, [], expectNoChanges: false, cli);
        if (blocked != ExitCodes.Ok) return blocked;
        if (!plan.HasChanges) return ExitCodes.Ok;
        if (!yes && !UpCommand.Confirm(cli, "Do you want to perform this destroy?")) return ExitCodes.Cancelled;
        var result = await UpdateHistory.RecordAsync(ws, Engine.State.UpdateRecord.Destroy, () => new Updater(ws.Providers(), ws.Backend, ws.Crypter).RunAsync(plan, null, checkpoint,
            new UpdateOptions { Parallelism = parse.GetValue(UpCommand.Parallel), ContinueOnError = parse.GetValue(UpCommand.ContinueOnError) },
            view.Progress(ws.Log), ct));
        view.Summary(result, plan, parse.GetValue(PreviewCommand.Json), ws);
        return UpCommand.ResultCode(result);
    }
}
