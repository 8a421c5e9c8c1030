using System.CommandLine;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Policy;
using Llmctl.Infra.Cli;

namespace Llmctl.Infra.Commands;

/// <summary><c>llmctl preview</c>: what <c>up</c> would change, with policy results; never touches a system.</summary>
internal static class PreviewCommand
{
    public static readonly Option<bool> Diff = new("--diff") { Description = "Show property-level diffs of every change" };
    public static readonly Option<bool> Json = new("--json", "-j") { Description = "Print Pulumi's preview digest as JSON" };
    public static readonly Option<bool> Markdown = new("--markdown") { Description = "Print a Markdown summary for a pull-request comment" };
    public static readonly Option<bool> ExpectNoChanges = new("--expect-no-changes") { Description = "Exit 7 if any change is proposed" };
    public static readonly Option<bool> ShowReplacementSteps = new("--show-replacement-steps") { Description = "Show the ++/-- halves of each replacement" };
    public static readonly Option<bool> ShowSames = new("--show-sames") { Description = "Show resources that do not change" };
    public static readonly Option<bool> Refresh = new("--refresh", "-r") { Description = "Diff against the live system (server-side dry-run apply) instead of the checkpoint alone" };
    public static readonly Option<int> Parallel = new("--parallel", "-p") { Description = "How many resource operations (and live dry-runs) may run at once (default 32)", DefaultValueFactory = _ => 32 };

    public static Command Build(CliContext cli)
    {
        var command = new Command("preview", "Show the changes `up` would make, and the policy results")
        {
            Diff, Json, Markdown, ExpectNoChanges, ShowReplacementSteps, ShowSames, Refresh, Parallel,
        };
        command.SetAction((parse, ct) => RunAsync(cli, parse, ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext cli, ParseResult parse, CancellationToken ct)
    {
        var timer = new StageTimer(cli);
        var ws = StackWorkspace.Open(cli, parse);
        timer.Mark("load");
        var desired = ws.Compose(isPreview: true);
        timer.Mark("compose");
        await ChartSetup.ExpandAsync(ws, desired, ct);
        timer.Mark("charts");
        var checkpoint = await ws.LoadCheckpointAsync(ct);
        timer.Mark("checkpoint");
        var plan = await ws.PlanAsync(desired, checkpoint, parse.GetValue(Refresh), new PlanOptions { Concurrency = parse.GetValue(Parallel) }, ct);
        timer.Mark("plan");
        var report = ws.RunPolicies(desired, plan);
        var violations = report.Violations;
        timer.Mark("policies");
        var view = Views.For(cli, parse);
        if (parse.GetValue(Json)) view.Json(plan, violations, ws, report: report);
        else if (parse.GetValue(Markdown)) view.Markdown(plan, violations, parse.GetValue(Diff));
        else
        {
            view.Preview(plan, violations, parse.GetValue(Diff), parse.GetValue(ShowSames), parse.GetValue(ShowReplacementSteps), report);
            ChartObjectsView.Write(cli.Out, desired, parse.GetValue(Diff));
        }
        timer.Mark("output");
        return Outcome(plan, violations, parse.GetValue(ExpectNoChanges), cli);
    }

    /// <summary>Exit code of a preview: policy blocks first, then resource errors, then unexpected changes.</summary>
    public static int Outcome(Plan plan, IReadOnlyList<Violation> violations, bool expectNoChanges, CliContext cli)
    {
        if (violations.Any(v => v.Enforcement == EnforcementLevel.Mandatory))
        {
            cli.Err.WriteLine("error: preview failed: mandatory policy violations (see above)");
            return ExitCodes.PolicyViolation;
        }
        if (plan.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error)) return ExitCodes.ResourceError;
        if (expectNoChanges && plan.HasChanges)
        {
            cli.Err.WriteLine("error: no changes were expected but changes were proposed");
            return ExitCodes.ChangesNotExpected;
        }
        return ExitCodes.Ok;
    }
}
