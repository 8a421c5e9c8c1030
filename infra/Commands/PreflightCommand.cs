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
    public static readonly Option<bool> Offline = new("--offline") { Description = "Do not read live facts (node labels and allocatable, GPU pods, DCGM's used framebuffer)" };
    public static readonly Option<string?> Prometheus = new("--prometheus") { Description = "Prometheus URL to read DCGM's used framebuffer from (default: the stack's llmctl:prometheus)" };
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Build(CliContext cli)
    {
        var command = new Command("preflight", "Check a lane before switching to it: fit, lock, prefetch, known-broken, placement, node budget (exit 0 pass, 10 warn, 20 block)")
        {
            Lane, Json, Offline, Prometheus,
        };
        command.SetAction(async (parse, ct) =>
        {
            var ws = StackWorkspace.Open(cli, parse, readsModelLocks: true);
            var (report, _, _) = await RunAsync(cli, ws, parse.GetValue(Lane)!, parse.GetValue(Offline), isPreview: true, ct, parse.GetValue(Prometheus));
            if (parse.GetValue(Json)) cli.Out.WriteLine(report.ToJson().ToJsonString(Indented));
            else report.Write(cli.Out);
            return report.ExitCode;
        });
        return command;
    }

    /// <summary>
    /// Composes the switched stack, runs the policies over it, turns the findings into the checks, and adds the live
    /// checks when the cluster can be read (not <paramref name="offline"/>), and DCGM's used framebuffer of the lane's node
    /// from Prometheus (<paramref name="prometheus"/>, else the stack's <c>llmctl:prometheus</c>).
    /// </summary>
    public static async Task<(PreflightReport Report, Stacks.Config.StackConfig Switched, Engine.Model.StackContext Desired)> RunAsync(
        CliContext cli, StackWorkspace ws, string laneName, bool offline, bool isPreview, CancellationToken ct, string? prometheus = null)
    {
        var config = ws.BindConfig();
        var lane = Preflight.FindLane(config, laneName);
        var switched = Preflight.Switched(config, lane);
        var desired = ws.Compose(switched, isPreview);
        var policies = ws.RunPolicies(desired, plan: null);
        var report = Preflight.Evaluate(ws, config, lane, desired, policies);
        if (offline) return (report with { Live = "not read (--offline)" }, switched, desired);
        report = report with { Framebuffer = await DcgmFramebuffer.ReadAsync(DcgmFramebuffer.Url(ws.Loaded, prometheus), lane.Node!, ct) };
        if (cli.ClusterFacts is null) return (report, switched, desired);
        var (checks, live) = await Preflight.LiveAsync(cli.ClusterFacts(ws.Loaded), lane, desired, ct);
        return (report with { Checks = [.. report.Checks, .. checks], Live = live }, switched, desired);
    }
}
