using System.CommandLine;
using System.Text.Json.Nodes;
using Llmctl.Components.Gateway;
using Llmctl.Engine.Deployment;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Infra.Cli;
using Llmctl.Infra.Switching;
using Llmctl.Policies.Platform;

namespace Llmctl.Infra.Commands;

/// <summary>
/// <c>llmctl switch &lt;lane&gt;</c>, seed 002's switch helper: preflight first (a block stops before anything changes, a
/// warn needs <c>--force</c>); then the lanes of the target's GPU and the gateway are applied with the target active
/// and the others parked, the run waits until they are ready, and the invariant is checked — exactly one running GPU
/// LLM per GPU, none pending. The stack file is edited (only the <c>active:</c> flags, comments kept) when all of
/// that succeeded; <c>--no-apply</c> only edits it (GitOps: open a pull request), <c>--dry-run</c> only shows the plan.
/// </summary>
internal static class SwitchCommand
{
    private static readonly Option<bool> Force = new("--force") { Description = "Switch even when the preflight warns (never when it blocks)" };
    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Show the preflight and the plan; change nothing" };
    private static readonly Option<bool> NoApply = new("--no-apply") { Description = "Only edit the stack file (for a pull request); apply nothing" };

    public static Command Build(CliContext cli)
    {
        var command = new Command("switch", "Make a lane the active one on its GPU: preflight, park the others, apply, wait, check the invariant, then edit the stack file")
        {
            PreflightCommand.Lane, Force, DryRun, NoApply, PreflightCommand.Offline, PreflightCommand.Prometheus, PreviewCommand.Parallel,
        };
        command.SetAction((parse, ct) => RunAsync(cli, parse, ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext cli, ParseResult parse, CancellationToken ct)
    {
        var ws = StackWorkspace.Open(cli, parse, readsModelLocks: true);
        var laneName = parse.GetValue(PreflightCommand.Lane)!;
        var (report, switched, desired) = await PreflightCommand.RunAsync(cli, ws, laneName, parse.GetValue(PreflightCommand.Offline), isPreview: parse.GetValue(DryRun), ct,
            parse.GetValue(PreflightCommand.Prometheus));
        report.Write(cli.Out);
        cli.Out.WriteLine();
        if (report.Decision == PreflightStatus.Block)
        {
            cli.Err.WriteLine($"error: preflight blocks '{laneName}'; nothing was scaled and the stack file is unchanged");
            return report.ExitCode;
        }
        if (report.Decision == PreflightStatus.Warn && !parse.GetValue(Force))
        {
            cli.Err.WriteLine($"error: preflight warns about '{laneName}'; pass --force to switch anyway (nothing was changed)");
            return report.ExitCode;
        }

        var node = switched.Lanes.Items.Single(l => l.Name == laneName).Node;
        var flags = switched.Lanes.Items.Where(l => l.Runtime != Stacks.Config.LaneRuntime.Ollama && l.Node == node)
            .ToDictionary(l => l.Name, l => l.Active, StringComparer.Ordinal);
        var original = await File.ReadAllTextAsync(ws.Loaded.StackFilePath, ct);
        var edited = LaneSwitchEditor.Edit(original, ws.Project, flags);
        if (parse.GetValue(NoApply))
        {
            if (!parse.GetValue(DryRun)) await File.WriteAllTextAsync(ws.Loaded.StackFilePath, edited, ct);
            cli.Out.WriteLine($"{ws.Loaded.DisplayPath(ws.Loaded.StackFilePath)}: '{laneName}' active, {string.Join(", ", flags.Where(f => !f.Value).Select(f => f.Key))} parked; "
                + "nothing applied — commit the file and let your GitOps controller roll it out");
            return ExitCodes.Ok;
        }

        await using var stackLock = parse.GetValue(DryRun) ? null : await ws.Backend.LockAsync(ws.Project, ws.Stack, "switch", ct);
        var checkpoint = await ws.LoadCheckpointAsync(ct);
        var plan = await ws.PlanAsync(desired, checkpoint, liveDiff: false, new PlanOptions { Concurrency = parse.GetValue(PreviewCommand.Parallel) }, ct);
        var scope = Scope(desired, flags.Keys);
        var outside = plan.Steps.Where(s => s.Op.IsChange() && !scope.Contains(s.Urn)).ToList();
        if (outside.Count > 0)
        {
            cli.Err.WriteLine($"error: the stack has changes besides this switch ({string.Join(", ", outside.Take(5).Select(s => $"{s.Op.Json()} {s.Urn.Name}"))}"
                + $"{(outside.Count > 5 ? ", …" : "")}); run `llmctl up` first so the switch touches only the lanes and the gateway. Nothing was changed");
            return ExitCodes.Error;
        }
        var policies = ws.RunPolicies(desired, plan);
        var view = Views.For(cli, parse);
        view.Preview(plan, policies.Violations, diff: false, showSames: false, showReplacementSteps: false, policies);
        if (PreviewCommand.Outcome(plan, policies.Violations, expectNoChanges: false, cli) is var blocked and not ExitCodes.Ok) return blocked;
        if (parse.GetValue(DryRun)) return ExitCodes.Ok;

        // A switch is an update of the stack (its lanes and gateway), recorded in the history as one.
        var result = await UpdateHistory.RecordAsync(ws, Engine.State.UpdateRecord.Update, () => new Updater(ws.Providers(), ws.Backend, ws.Crypter).RunAsync(plan, desired, checkpoint,
            new UpdateOptions { Parallelism = parse.GetValue(PreviewCommand.Parallel) }, view.Progress(ws.Log), ct));
        view.Summary(result, plan, json: false, ws);
        if (!result.Succeeded)
        {
            cli.Err.WriteLine("error: the switch did not complete; the stack file is unchanged (run `llmctl up` to return to it)");
            return UpCommand.ResultCode(result);
        }
        var invariant = await CheckInvariantAsync(ws, desired, result, flags.Keys, ct);
        if (invariant is not null)
        {
            cli.Err.WriteLine($"error: {invariant}; the stack file is unchanged");
            return ExitCodes.ResourceError;
        }
        await File.WriteAllTextAsync(ws.Loaded.StackFilePath, edited, ct);
        cli.Out.WriteLine($"switched: '{laneName}' serves on node '{node}'; {string.Join(", ", flags.Where(f => !f.Value).Select(f => f.Key))} parked; "
            + $"{ws.Loaded.DisplayPath(ws.Loaded.StackFilePath)} updated");
        return ExitCodes.Ok;
    }

    /// <summary>The switch may change the lanes of the GPU (and their children) and the gateway (and its children).</summary>
    private static HashSet<Urn> Scope(StackContext desired, IEnumerable<string> lanes)
    {
        var names = lanes.ToHashSet(StringComparer.Ordinal);
        var roots = Lanes.All(desired).Where(l => names.Contains(l.Annotation.Name)).Select(l => l.Workload.Owner.Parent ?? l.Workload.Owner)
            .Concat(desired.Resources.Where(r => r.Annotations.Find<AliasRoutes>() is not null))
            .ToHashSet();
        return desired.Resources.Where(r => Ancestors(r).Any(roots.Contains)).Select(r => r.Urn).ToHashSet();

        static IEnumerable<Resource> Ancestors(Resource r)
        {
            for (Resource? x = r; x is not null; x = x.Parent) yield return x;
        }
    }

    /// <summary>
    /// Reads the GPU lanes of the node back from the cluster: exactly as many ready pods as the node has GPUs, all on the
    /// target, and no lane with pods that are not ready (pending). Null when it holds, else what is wrong.
    /// </summary>
    private static async Task<string?> CheckInvariantAsync(StackWorkspace ws, StackContext desired, UpdateResult result, IEnumerable<string> lanes, CancellationToken ct)
    {
        var names = lanes.ToHashSet(StringComparer.Ordinal);
        var gpus = Lanes.GpusPerNode(desired);
        var providers = ws.Providers();
        int ready = 0;
        var pending = new List<string>();
        var running = new List<string>();
        string? node = null;
        foreach (var lane in Lanes.All(desired).Where(l => names.Contains(l.Annotation.Name)))
        {
            node ??= lane.Annotation.Node;
            var state = result.Checkpoint.Resources.FirstOrDefault(r => r.Urn == lane.Workload.Owner.Urn);
            if (state?.Id is not { } id) return $"lane '{lane.Annotation.Name}' is not in the checkpoint after the switch";
            var live = await providers.Get(state.Type).ReadAsync(state.Urn, state.Type, id, state.Inputs, state.Outputs, ct);
            var status = live?.Outputs["status"] as JsonObject;
            var want = lane.Workload.Replicas;
            var readyHere = (int?)status?["readyReplicas"]?.GetValue<long>() ?? 0;
            ready += readyHere;
            if (readyHere > 0) running.Add(lane.Annotation.Name);
            if (readyHere < want || ((int?)status?["replicas"]?.GetValue<long>() ?? 0) > want) pending.Add(lane.Annotation.Name);
        }
        var capacity = node is null ? 1 : gpus.GetValueOrDefault(node, 1);
        if (pending.Count > 0) return $"GPU lanes not settled after the switch (pods pending or still terminating): {string.Join(", ", pending)}";
        return ready == capacity ? null
            : $"expected exactly {capacity} running GPU LLM pod{(capacity == 1 ? "" : "s")} on node '{node}', found {ready} ({string.Join(", ", running)})";
    }
}
