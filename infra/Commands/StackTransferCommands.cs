using System.CommandLine;
using Llmctl.Engine.Config;
using Llmctl.Engine.State;
using Llmctl.Infra.Cli;

namespace Llmctl.Infra.Commands;

/// <summary>
/// <c>llmctl stack export</c> and <c>stack import</c>, as Pulumi's: the checkpoint as a deployment
/// (<c>{"version": 3, "deployment": {…}}</c>) with every secret still encrypted by the stack's passphrase, and back.
/// An import is checked whole before anything is written — JSON, version, every URN once and of this stack, every
/// parent and dependency present and listed first, every secret decryptable — and a failed check changes nothing
/// (exit 2). What it replaces is kept as a backup first.
/// </summary>
internal static class StackTransferCommands
{
    private static readonly Option<string?> File = new("--file") { Description = "The file to write (export) or read (import); default standard output / input" };

    public static Command BuildExport(CliContext cli)
    {
        var command = new Command("export", "Write the stack's checkpoint as a deployment JSON (secrets stay encrypted)") { File };
        command.SetAction(async (parse, ct) =>
        {
            var ws = StackWorkspace.Open(cli, parse);
            var checkpoint = await ws.Backend.LoadAsync(ws.Project, ws.Stack, ws.Crypter, ct)
                ?? throw new CliException(ExitCodes.StackNotFound, $"stack '{ws.Stack}' has no checkpoint in {ws.Backend.Url} yet (run `llmctl up -s {ws.Stack}` or `llmctl stack init {ws.Stack}`)");
            var bytes = CheckpointSerializer.SerializeExport(checkpoint, ws.Crypter);
            var path = parse.GetValue(File);
            if (path is null)
            {
                cli.Out.WriteLine(System.Text.Encoding.UTF8.GetString(bytes));
            }
            else
            {
                var full = Path.GetFullPath(Path.Combine(StackWorkspace.Directory(cli, parse), path));
                await System.IO.File.WriteAllBytesAsync(full, bytes, ct);
                cli.Err.WriteLine($"Exported stack '{ws.Stack}' ({checkpoint.Resources.Count} resource(s)) to {full}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command BuildImport(CliContext cli)
    {
        var command = new Command("import", "Replace the stack's checkpoint with a deployment JSON (checked first; the old one is kept as a backup)") { File };
        command.SetAction((parse, ct) => ImportAsync(cli, parse, ct));
        return command;
    }

    private static async Task<int> ImportAsync(CliContext cli, ParseResult parse, CancellationToken ct)
    {
        var ws = StackWorkspace.Open(cli, parse);
        var path = parse.GetValue(File);
        string source;
        byte[] bytes;
        if (path is null)
        {
            source = "standard input";
            bytes = System.Text.Encoding.UTF8.GetBytes(await cli.In.ReadToEndAsync(ct));
        }
        else
        {
            source = Path.GetFullPath(Path.Combine(StackWorkspace.Directory(cli, parse), path));
            if (!System.IO.File.Exists(source)) throw new CliException(ExitCodes.ConfigOrUsage, $"--file {path}: no such file ({source}); nothing was changed");
            bytes = await System.IO.File.ReadAllBytesAsync(source, ct);
        }
        var started = DateTimeOffset.UtcNow;
        StackCheckpoint imported;
        try
        {
            // Every secret is decrypted here, with this stack's passphrase: one that cannot be is refused now, not at the next up.
            imported = CheckpointSerializer.DeserializeExport(bytes, ws.Crypter, source, ws.Project, ws.Stack);
        }
        catch (Exception ex) when (ex is CheckpointFormatException or SecretDecryptionException or SecretsProviderRequiredException)
        {
            throw new CliException(ExitCodes.ConfigOrUsage, $"{ex.Message}; nothing was changed");
        }
        var problems = CheckpointIntegrity.Problems(imported, ws.Project, ws.Stack);
        if (imported.Stack != ws.Stack) problems = [$"the file is the checkpoint of stack '{imported.Stack}', not '{ws.Stack}'", .. problems];
        if (problems.Count > 0)
        {
            foreach (var problem in problems) cli.Err.WriteLine($"error: {source}: {problem}");
            throw new CliException(ExitCodes.ConfigOrUsage, $"{problems.Count} problem(s) in {source}; nothing was changed");
        }

        await using var stackLock = await StackLocks.TakeAsync(cli, ws.Backend, ws.Project, ws.Stack, "stack import", ct);
        var backup = await ws.Backend.BackupAsync(ws.Project, ws.Stack, ct);
        // Written under this stack's salt (secrets re-encrypted with its passphrase), stamped now.
        await ws.Backend.SaveAsync(imported with { SecretsSalt = ws.Loaded.StackFile?.EncryptionSalt ?? imported.SecretsSalt, Time = DateTimeOffset.UtcNow }, ws.Crypter, ct);
        await UpdateHistory.AppendAsync(ws, UpdateRecord.Import, started, UpdateRecord.Succeeded,
            new Dictionary<string, int> { ["import"] = imported.Resources.Count }, $"imported from {(path is null ? "standard input" : Path.GetFileName(source))}");
        cli.Out.WriteLine($"Imported {imported.Resources.Count} resource(s) into stack '{ws.Stack}'"
            + (backup is null ? "." : $"; the checkpoint it replaced is kept at {backup}"));
        return ExitCodes.Ok;
    }
}
