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
        var plan = Planner.PlanDestroy(checkpoint);
        var view = Views.For(cli, parse);
        if (!parse.GetValue(UpCommand.SkipPreview) && !parse.GetValue(PreviewCommand.Json)) view.Preview(plan, [], false, false, false);
        if (plan.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error)) return ExitCodes.ResourceError;
        if (!plan.HasChanges) return ExitCodes.Ok;
        if (!yes && !UpCommand.Confirm(cli, "Do you want to perform this destroy?")) return ExitCodes.Cancelled;
        var result = await new Updater(ws.Providers(), ws.Backend, ws.Crypter).RunAsync(plan, null, checkpoint,
            new UpdateOptions { Parallelism = parse.GetValue(UpCommand.Parallel), ContinueOnError = parse.GetValue(UpCommand.ContinueOnError) },
            view.Progress(), ct);
        view.Summary(result, plan, parse.GetValue(PreviewCommand.Json), ws);
        return UpCommand.ResultCode(result);
    }
}
