using System.CommandLine;
using Llmctl.Infra.Cli;

namespace Llmctl.Infra.Commands;

/// <summary>
/// <c>llmctl stack rm [name]</c>, as <c>pulumi stack rm</c>: removes the stack's checkpoint, its history and its
/// <c>Pulumi.&lt;stack&gt;.yaml</c> (kept with <c>--preserve-config</c>). A stack that still has resources is refused
/// unless <c>--force</c> (which leaves those resources running, unmanaged). It asks for the stack's name first; without
/// a terminal <c>--yes</c> is required.
/// </summary>
internal static class StackRemoveCommand
{
    public static Command Build(CliContext cli)
    {
        var name = new Argument<string?>("stack-name") { Description = "The stack to remove (default: -s, or the current stack)", Arity = ArgumentArity.ZeroOrOne };
        var force = new Option<bool>("--force", "-f") { Description = "Remove the stack even though it still has resources, leaving them running and unmanaged" };
        var preserveConfig = new Option<bool>("--preserve-config") { Description = "Keep the stack's Pulumi.<stack>.yaml" };
        var command = new Command("rm", "Remove a stack, its state, history and configuration file (its resources must be destroyed first)")
        {
            name, force, preserveConfig, UpCommand.Yes,
        };
        command.SetAction((parse, ct) => RunAsync(cli, parse, parse.GetValue(name), parse.GetValue(force), parse.GetValue(preserveConfig), ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext cli, ParseResult parse, string? name, bool force, bool preserveConfig, CancellationToken ct)
    {
        var yes = parse.GetValue(UpCommand.Yes);
        UpCommand.RequireConfirmationPossible(cli, parse, yes, "removal");
        if (name is not null && !StackNames.IsValid(name))
        {
            throw new CliException(ExitCodes.ConfigOrUsage, $"'{name}' is not a valid stack name: use letters, digits, '-', '_' or '.'");
        }
        var ws = StackWorkspace.Open(cli, name is null ? parse : StackCommand.ParseWithStack(parse, name), requireStackFile: false);
        var exists = await ws.Backend.ExistsAsync(ws.Project, ws.Stack, ct);
        if (!exists && !ws.Loaded.StackExists)
        {
            throw new CliException(ExitCodes.StackNotFound, $"no stack named '{ws.Stack}' found (no checkpoint in {ws.Backend.Url} and no {ws.Loaded.DisplayPath(ws.Loaded.StackFilePath)})");
        }
        await using (await StackLocks.TakeAsync(cli, ws.Backend, ws.Project, ws.Stack, "stack rm", ct))
        {
            if (exists)
            {
                var checkpoint = await ws.LoadCheckpointAsync(ct);
                var resources = checkpoint.Resources.Count(r => r.Type != Engine.Model.StackResource.TypeToken) + checkpoint.PendingOperations.Count;
                if (resources > 0 && !force)
                {
                    throw new CliException(ExitCodes.Error,
                        $"'{ws.Stack}' still has resources ({resources}); removal rejected. Possible actions:\n"
                        + $"- Make sure that '{ws.Stack}' is the stack that you want to remove\n"
                        + $"- Run `llmctl destroy -s {ws.Stack}` to delete the resources, then run `llmctl stack rm {ws.Stack}`\n"
                        + $"- Run `llmctl stack rm {ws.Stack} --force` to override this error (the resources keep running, unmanaged)");
                }
            }
            if (!yes && !ConfirmName(cli, ws.Stack)) return ExitCodes.Cancelled;
            if (exists) await ws.Backend.RemoveAsync(ws.Project, ws.Stack, ct);
        }
        // The lock file is gone with the stack (released above); the config file goes last, after the state.
        if (!preserveConfig && File.Exists(ws.Loaded.StackFilePath)) File.Delete(ws.Loaded.StackFilePath);
        cli.Out.WriteLine($"Stack '{ws.Stack}' has been removed!"
            + (preserveConfig && ws.Loaded.StackExists ? $" ({ws.Loaded.DisplayPath(ws.Loaded.StackFilePath)} was kept)" : ""));
        return ExitCodes.Ok;
    }

    /// <summary>Pulumi asks for the stack's name, not a yes: removing the wrong stack is hard to undo.</summary>
    private static bool ConfirmName(CliContext cli, string stack)
    {
        cli.Out.WriteLine($"This will permanently remove the '{stack}' stack!");
        cli.Out.Write($"Please confirm that this is what you'd like to do by typing `{stack}`: ");
        cli.Out.Flush();
        if (cli.In.ReadLine()?.Trim() == stack) return true;
        cli.Err.WriteLine("confirmation declined, not proceeding with the removal");
        return false;
    }
}
