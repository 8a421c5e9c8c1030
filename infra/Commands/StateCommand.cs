using System.CommandLine;
using Llmctl.Engine.Model;
using Llmctl.Engine.State;
using Llmctl.Infra.Cli;

namespace Llmctl.Infra.Commands;

/// <summary>
/// <c>llmctl state unprotect|protect|delete|rename</c>: edit the checkpoint without running the program. Delete and
/// rename are Pulumi's (<c>pulumi state delete</c>, <c>pulumi state rename</c>): they change only what llmctl tracks,
/// never the objects, and ask first (<c>--yes</c> when not interactive).
/// </summary>
internal static class StateCommand
{
    public static Command Build(CliContext cli)
    {
        var state = new Command("state", "Edit the stack's checkpoint directly");
        state.Subcommands.Add(Flag(cli, "unprotect", false));
        state.Subcommands.Add(Flag(cli, "protect", true));
        state.Subcommands.Add(Delete(cli));
        state.Subcommands.Add(Rename(cli));
        return state;
    }

    private static Urn ParseUrn(string text) =>
        Urn.TryParse(text, out var urn) ? urn : throw new CliException(ExitCodes.ConfigOrUsage, $"'{text}' is not a URN (urn:pulumi:<stack>::<project>::<type>::<name>)");

    private static Command Delete(CliContext cli)
    {
        var urnArg = new Argument<string>("urn") { Description = "The resource's URN (single-quote it: URNs hold '$')" };
        var force = new Option<bool>("--force") { Description = "Delete it even if it is protected" };
        var dependents = new Option<bool>("--target-dependents") { Description = "Also delete every resource that depends on it or is its child" };
        var command = new Command("delete", "Remove a resource from the checkpoint, leaving the object itself as it is") { urnArg, force, dependents, UpCommand.Yes };
        command.SetAction((parse, ct) => EditAsync(cli, parse, "delete", parse.GetValue(urnArg)!, (checkpoint, urn) =>
        {
            var (edited, removed) = StateEdits.Delete(checkpoint, urn, parse.GetValue(dependents), parse.GetValue(force));
            return new Edited(edited, $"{removed.Count} resource(s) will no longer be managed by llmctl (their objects stay)",
                [.. removed.Select(u => $"Deleted {u} from the state"),
                 "The objects themselves were not touched. Remove the resources from the program too, or the next `llmctl up` creates them again."]);
        }, ct));
        return command;
    }

    private static Command Rename(CliContext cli)
    {
        var urnArg = new Argument<string>("urn") { Description = "The resource's URN (single-quote it: URNs hold '$')" };
        var nameArg = new Argument<string>("new-name") { Description = "The resource's new name (the last part of its URN)" };
        var command = new Command("rename", "Rename a resource in the checkpoint (and every reference to it)") { urnArg, nameArg, UpCommand.Yes };
        command.SetAction((parse, ct) => EditAsync(cli, parse, "rename", parse.GetValue(urnArg)!, (checkpoint, urn) =>
        {
            var (edited, renamed) = StateEdits.Rename(checkpoint, urn, parse.GetValue(nameArg)!);
            return new Edited(edited, $"'{urn}' becomes '{renamed}'",
                [$"Renamed {urn} to {renamed}", "Rename the resource in the program too (or give it an alias to the old name), or the next `llmctl up` replaces it."]);
        }, ct));
        return command;
    }

    private sealed record Edited(Engine.State.StackCheckpoint Checkpoint, string Question, IReadOnlyList<string> Report);

    /// <summary>
    /// One direct edit of the checkpoint under the stack's lock: refused edits (<see cref="StateEditException"/>) change
    /// nothing (exit 1); the edit is confirmed first unless <c>--yes</c>, which is required when not interactive.
    /// </summary>
    private static async Task<int> EditAsync(CliContext cli, ParseResult parse, string verb, string urnText, Func<Engine.State.StackCheckpoint, Urn, Edited> edit, CancellationToken ct)
    {
        var urn = ParseUrn(urnText);
        var yes = parse.GetValue(UpCommand.Yes);
        UpCommand.RequireConfirmationPossible(cli, parse, yes, "state edit");
        var ws = StackWorkspace.Open(cli, parse);
        await using var stackLock = await StackLocks.TakeAsync(cli, ws.Backend, ws.Project, ws.Stack, $"state {verb}", ct);
        var checkpoint = await ws.LoadCheckpointAsync(ct);
        Edited edited;
        try
        {
            edited = edit(checkpoint, urn);
        }
        catch (StateEditException e)
        {
            throw new CliException(ExitCodes.Error, e.Message + " Nothing was changed.");
        }
        if (!yes && !UpCommand.Confirm(cli, $"This edits the stack's state directly: {edited.Question}. Proceed?")) return ExitCodes.Cancelled;
        await ws.Backend.SaveAsync(edited.Checkpoint, ws.Crypter, ct);
        foreach (var line in edited.Report) cli.Out.WriteLine(line);
        return ExitCodes.Ok;
    }

    private static Command Flag(CliContext cli, string verb, bool protect)
    {
        var urnArg = new Argument<string>("urn") { Description = "The resource's URN" };
        var command = new Command(verb, $"{(protect ? "Protect" : "Unprotect")} a resource in the checkpoint") { urnArg };
        command.SetAction(async (parse, ct) =>
        {
            var text = parse.GetValue(urnArg)!;
            if (!Urn.TryParse(text, out var urn)) throw new CliException(ExitCodes.ConfigOrUsage, $"'{text}' is not a URN (urn:pulumi:<stack>::<project>::<type>::<name>)");
            var ws = StackWorkspace.Open(cli, parse);
            await using var stackLock = await StackLocks.TakeAsync(cli, ws.Backend, ws.Project, ws.Stack, $"state {verb}", ct);
            var checkpoint = await ws.LoadCheckpointAsync(ct);
            if (checkpoint.Resources.All(r => r.Urn != urn)) throw new CliException(ExitCodes.Error, $"no resource '{urn}' in stack '{ws.Stack}'");
            var updated = checkpoint with { Resources = checkpoint.Resources.Select(r => r.Urn == urn ? r with { Protect = protect } : r).ToList() };
            await ws.Backend.SaveAsync(updated, ws.Crypter, ct);
            cli.Out.WriteLine($"{(protect ? "Protected" : "Unprotected")} {urn}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
