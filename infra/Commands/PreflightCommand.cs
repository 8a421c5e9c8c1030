using System.CommandLine;
using System.Text.Json;
using Llmctl.Infra.Cli;
using Llmctl.Infra.Switching;

namespace Llmctl.Infra.Commands;

/// <summary><c>llmctl preflight &lt;lane&gt;</c>: seed 002's GPU fit preflight; exits 0 pass, 10 warn, 20 block.</summary>
internal static class PreflightCommand
{
    public static readonly Argument<string> Lane = new("lane") { Description = "The lane to evaluate as if it were switched to" };
    private static readonly Option<bool> Json = new("--json", "-j") { Description = "Print the checks and the decision as JSON" };
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Build(CliContext cli)
    {
        var command = new Command("preflight", "Check a lane before switching to it: fit, lock, prefetch, known-broken, placement, node budget (exit 0 pass, 10 warn, 20 block)")
        {
            Lane, Json,
        };
        command.SetAction(parse =>
        {
            var ws = StackWorkspace.Open(cli, parse);
            var report = Run(ws, parse.GetValue(Lane)!).Report;
            if (parse.GetValue(Json)) cli.Out.WriteLine(report.ToJson().ToJsonString(Indented));
            else report.Write(cli.Out);
            return report.ExitCode;
        });
        return command;
    }

    /// <summary>Composes the switched stack, runs the policies over it, and turns the findings into the checks.</summary>
    public static (PreflightReport Report, Stacks.Config.StackConfig Switched, Engine.Model.StackContext Desired) Run(StackWorkspace ws, string laneName, bool isPreview = true)
    {
        var config = ws.BindConfig();
        var lane = Preflight.FindLane(config, laneName);
        var switched = Preflight.Switched(config, lane);
        var desired = ws.Compose(switched, isPreview);
        var policies = ws.RunPolicies(desired, plan: null);
        return (Preflight.Evaluate(ws, config, lane, desired, policies), switched, desired);
    }
}
