using System.CommandLine;
using Llmctl.Engine.Deployment;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Policy;
using Llmctl.Infra.Cli;

namespace Llmctl.Infra.Commands;

/// <summary><c>llmctl up</c>: preview, confirm, then apply in dependency order, recording every step.</summary>
internal static class UpCommand
{
    public static readonly Option<bool> Yes = new("--yes", "-y") { Description = "Apply without asking (required when not interactive)" };
    public static readonly Option<bool> SkipPreview = new("--skip-preview", "-f") { Description = "Do not show the preview before applying" };
    public static Option<int> Parallel => PreviewCommand.Parallel;
    public static readonly Option<bool> ContinueOnError = new("--continue-on-error") { Description = "Keep applying independent resources after a failure" };

    public static Command Build(CliContext cli)
    {
        var command = new Command("up", "Create or update the stack's resources")
        {
            Yes, SkipPreview, Parallel, ContinueOnError, PreviewCommand.Refresh, PreviewCommand.Diff, PreviewCommand.Json, PreviewCommand.ExpectNoChanges,
            PreviewCommand.ShowReplacementSteps, PreviewCommand.ShowSames, PreviewCommand.Target, PreviewCommand.TargetDependents,
        };
        command.SetAction((parse, ct) => RunAsync(cli, parse, ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext cli, ParseResult parse, CancellationToken ct)
    {
        var yes = parse.GetValue(Yes);
        RequireConfirmationPossible(cli, parse, yes, "update");
        var ws = StackWorkspace.Open(cli, parse, readsModelLocks: true);
        var started = DateTimeOffset.UtcNow;
        var desired = ws.Compose(isPreview: false);
        // Policies see what the charts create; nothing rendered is applied (helm-controller installs the releases).
        await ChartSetup.ExpandAsync(ws, desired, ct);
        await using var stackLock = await StackLocks.TakeAsync(cli, ws.Backend, ws.Project, ws.Stack, "up", ct);
        var checkpoint = await ws.LoadCheckpointAsync(ct);
        var plan = await ws.PlanAsync(desired, checkpoint, parse.GetValue(PreviewCommand.Refresh), PreviewCommand.PlanOptions(parse), ct);
        ws.Log.Plan(plan);
        var report = ws.RunPolicies(desired, plan);
        var violations = report.Violations;
        var view = Views.For(cli, parse);
        if (!parse.GetValue(SkipPreview) && !parse.GetValue(PreviewCommand.Json))
        {
            view.Preview(plan, violations, parse.GetValue(PreviewCommand.Diff), parse.GetValue(PreviewCommand.ShowSames), parse.GetValue(PreviewCommand.ShowReplacementSteps), report);
        }
        // A mandatory violation stops the run here, before the first change.
        var blocked = PreviewCommand.Outcome(plan, violations, expectNoChanges: false, cli);
        if (blocked != ExitCodes.Ok)
        {
            if (parse.GetValue(PreviewCommand.Json)) view.Json(plan, violations, ws, report: report);
            return blocked;
        }
        if (!plan.HasChanges && checkpoint.PendingOperations.Count == 0)
        {
            await UpdateHistory.AppendAsync(ws, Engine.State.UpdateRecord.Update, started, Engine.State.UpdateRecord.Succeeded, UpdateHistory.Changes(plan), "");
            if (parse.GetValue(PreviewCommand.Json)) view.Json(plan, violations, ws, report: report);
            return ExitCodes.Ok;
        }
        if (parse.GetValue(PreviewCommand.ExpectNoChanges))
        {
            cli.Err.WriteLine("error: no changes were expected but changes were proposed");
            return ExitCodes.ChangesNotExpected;
        }
        if (!yes && !Confirm(cli, "Do you want to perform this update?")) return ExitCodes.Cancelled;

        var updater = new Updater(ws.Providers(), ws.Backend, ws.Crypter);
        var result = await UpdateHistory.RecordAsync(ws, Engine.State.UpdateRecord.Update, () => updater.RunAsync(plan, desired, checkpoint,
            new UpdateOptions { Parallelism = parse.GetValue(Parallel), ContinueOnError = parse.GetValue(ContinueOnError) },
            view.Progress(ws.Log), ct));
        view.Summary(result, plan, parse.GetValue(PreviewCommand.Json), ws);
        return ResultCode(result);
    }

    /// <summary>Pulumi refuses to run an update it cannot confirm: without a terminal, <c>--yes</c> is required.</summary>
    public static void RequireConfirmationPossible(CliContext cli, ParseResult parse, bool yes, string what)
    {
        if (yes) return;
        if (!cli.Interactive || parse.GetValue(GlobalOptions.NonInteractive))
        {
            throw new CliException(ExitCodes.ConfigOrUsage,
                $"--yes must be passed in to proceed when running in non-interactive mode (the {what} was not started)");
        }
    }

    public static bool Confirm(CliContext cli, string question)
    {
        cli.Out.Write($"{question} [yes/no] ");
        cli.Out.Flush();
        var answer = cli.In.ReadLine()?.Trim().ToLowerInvariant();
        if (answer is "yes" or "y") return true;
        cli.Err.WriteLine("confirmation declined, not proceeding with the operation");
        return false;
    }

    public static int ResultCode(UpdateResult result)
    {
        if (result.Succeeded) return ExitCodes.Ok;
        if (result.Failures.Any(f => f.Kind == FailureKind.Cancelled)) return ExitCodes.Cancelled;
        if (result.Failures.All(f => f.Kind == FailureKind.Timeout)) return ExitCodes.Timeout;
        return ExitCodes.ResourceError;
    }
}
