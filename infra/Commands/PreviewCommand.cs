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
    public static readonly Option<string[]> Target = new("--target", "-t")
    {
        Description = "Only this resource (a URN; `*` and `**` globs allowed); repeat for more. The others stay as the checkpoint has them",
        AllowMultipleArgumentsPerToken = false,
    };
    public static readonly Option<bool> TargetDependents = new("--target-dependents") { Description = "With --target: also every resource that depends on (or is a child of) a target" };

    static PreviewCommand()
    {
        Parallel.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && result.GetValueOrDefault<int>() < 1)
            {
                result.AddError($"--parallel must be at least 1 (got {result.GetValueOrDefault<int>()}): it is how many resource operations run at once");
            }
        });
    }

    /// <summary>The <c>-t</c> patterns of this invocation, or null for none.</summary>
    public static TargetSet? Targets(ParseResult parse) => TargetSet.From(parse.GetValue(Target));

    /// <summary>Planning options from the flags every planning verb shares (<c>-p</c>, <c>-t</c>, <c>--target-dependents</c>).</summary>
    public static PlanOptions PlanOptions(ParseResult parse) => new()
    {
        Concurrency = parse.GetValue(Parallel),
        Targets = Targets(parse),
        TargetDependents = parse.GetValue(TargetDependents),
    };

    public static Command Build(CliContext cli)
    {
        var command = new Command("preview", "Show the changes `up` would make, and the policy results")
        {
            Diff, Json, Markdown, ExpectNoChanges, ShowReplacementSteps, ShowSames, Refresh, Parallel, Target, TargetDependents,
        };
        command.SetAction((parse, ct) => RunAsync(cli, parse, ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext cli, ParseResult parse, CancellationToken ct)
    {
        var timer = new StageTimer(cli, parse);
        var ws = StackWorkspace.Open(cli, parse, readsModelLocks: true);
        timer.Mark("load");
        var desired = ws.Compose(isPreview: true);
        timer.Mark("compose");
        await ChartSetup.ExpandAsync(ws, desired, ct);
        timer.Mark("charts");
        var checkpoint = await ws.LoadCheckpointAsync(ct);
        timer.Mark("checkpoint");
        var plan = await ws.PlanAsync(desired, checkpoint, parse.GetValue(Refresh), PlanOptions(parse), ct);
        timer.Mark("plan");
        ws.Log.Plan(plan);
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
        var errors = plan.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0 && errors.All(Targeting.IsTargetError))
        {
            // The --target list cannot be honoured: a usage error, fixed on the command line. Nothing was changed.
            foreach (var e in errors) cli.Err.WriteLine($"error: {e.Message}");
            return ExitCodes.ConfigOrUsage;
        }
        if (errors.Count > 0) return ExitCodes.ResourceError;
        if (expectNoChanges && plan.HasChanges)
        {
            cli.Err.WriteLine("error: no changes were expected but changes were proposed");
            return ExitCodes.ChangesNotExpected;
        }
        return ExitCodes.Ok;
    }
}
