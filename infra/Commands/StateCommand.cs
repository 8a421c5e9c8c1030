using System.CommandLine;
using Llmctl.Engine.Model;
using Llmctl.Infra.Cli;

namespace Llmctl.Infra.Commands;

/// <summary><c>llmctl state unprotect|protect</c>: edit flags in the checkpoint without running the program.</summary>
internal static class StateCommand
{
    public static Command Build(CliContext cli)
    {
        var state = new Command("state", "Edit the stack's checkpoint directly");
        state.Subcommands.Add(Flag(cli, "unprotect", false));
        state.Subcommands.Add(Flag(cli, "protect", true));
        return state;
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
