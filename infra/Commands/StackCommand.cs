using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llmctl.Engine.Config;
using Llmctl.Engine.Model;
using Llmctl.Engine.State;
using Llmctl.Infra.Cli;

namespace Llmctl.Infra.Commands;

/// <summary><c>llmctl stack init|ls|output|unlock</c>; <c>rm</c>, <c>export</c>, <c>import</c> and <c>history</c> have files of their own.</summary>
internal static class StackCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Build(CliContext cli)
    {
        var stack = new Command("stack", "Create, list and inspect stacks");

        var initName = new Argument<string>("name") { Description = "The new stack's name (Pulumi.<name>.yaml)" };
        var init = new Command("init", "Create a stack: its Pulumi.<name>.yaml (with an encryption salt when a passphrase is set) and its empty checkpoint") { initName };
        init.SetAction((parse, ct) => InitAsync(cli, parse, parse.GetValue(initName)!, ct));
        stack.Subcommands.Add(init);

        var json = new Option<bool>("--json", "-j") { Description = "Print JSON" };
        var ls = new Command("ls", "List the project's stacks") { json };
        ls.SetAction((parse, ct) => ListAsync(cli, parse, parse.GetValue(json), ct));
        stack.Subcommands.Add(ls);

        var property = new Argument<string?>("property-name") { Description = "One output to print", Arity = ArgumentArity.ZeroOrOne };
        var showSecrets = new Option<bool>("--show-secrets") { Description = "Show secret outputs in plain text" };
        var shell = new Option<bool>("--shell") { Description = "Print the outputs as shell variable assignments" };
        var output = new Command("output", "Show the stack's outputs") { property, json, showSecrets, shell };
        output.SetAction((parse, ct) => OutputAsync(cli, parse, parse.GetValue(property), parse.GetValue(json), parse.GetValue(showSecrets), parse.GetValue(shell), ct));
        stack.Subcommands.Add(output);

        var force = new Option<bool>("--force") { Description = "Remove the lock even when its holder is still running on this host" };
        var unlock = new Command("unlock", "Remove the stack's lock, left behind by a process that died") { force };
        unlock.SetAction((parse, ct) => UnlockAsync(cli, parse, parse.GetValue(force), ct));
        stack.Subcommands.Add(unlock);
        stack.Subcommands.Add(StackRemoveCommand.Build(cli));
        stack.Subcommands.Add(StackTransferCommands.BuildExport(cli));
        stack.Subcommands.Add(StackTransferCommands.BuildImport(cli));
        stack.Subcommands.Add(StackHistoryCommand.Build(cli));
        return stack;
    }

    /// <summary>
    /// Removes the lock. A holder that is alive on this host is refused unless <c>--force</c>: removing its lock would
    /// let a second run write the same checkpoint. A dead holder's lock here is simply taken and released.
    /// </summary>
    private static async Task<int> UnlockAsync(CliContext cli, ParseResult parse, bool force, CancellationToken ct)
    {
        var ws = StackWorkspace.Open(cli, parse);
        try
        {
            var taken = await ws.Backend.LockAsync(ws.Project, ws.Stack, "stack unlock", ct);
            var old = (taken as IStackLock)?.TookOverFrom;
            await taken.DisposeAsync();
            cli.Out.WriteLine(old is null
                ? $"Stack '{ws.Stack}' is not locked."
                : $"Stack '{ws.Stack}' unlocked (removed the lock of {Describe(old)}, which is no longer running).");
            return ExitCodes.Ok;
        }
        catch (StackLockedException e)
        {
            if (e.HolderAliveHere && !force)
            {
                throw new CliException(ExitCodes.Error, $"the stack '{ws.Stack}' is locked by {Describe(e.Holder)}, which is still running on this host; "
                    + "wait for it to finish, or stop it. `llmctl stack unlock --force` removes the lock anyway (two runs would then write the same state).");
            }
            await ws.Backend.ForceUnlockAsync(ws.Project, ws.Stack, ct);
            cli.Out.WriteLine($"Stack '{ws.Stack}' unlocked (removed the lock of {Describe(e.Holder)}).");
            return ExitCodes.Ok;
        }
    }

    private static string Describe(LockHolder h) => $"{h.User}@{h.Host} (pid {h.Pid}, running '{h.Operation}' since {h.Since:u})";

    private static async Task<int> InitAsync(CliContext cli, ParseResult parse, string name, CancellationToken ct)
    {
        if (!StackNames.IsValid(name))
        {
            throw new CliException(ExitCodes.ConfigOrUsage, $"'{name}' is not a valid stack name: use letters, digits, '-', '_' or '.'");
        }
        var directory = StackWorkspace.Directory(cli, parse);
        var loaded = ProjectLoader.Load(directory, name, environment: cli.Environment);
        loaded.ThrowIfErrors();
        if (!loaded.StackExists)
        {
            var passphrase = Engine.Config.Secrets.PassphraseSource.TryRead(cli.Environment);
            // The file gets the salt (and its check value), never the passphrase itself.
            StackFileEditor.Create(loaded.StackFilePath, passphrase is null ? null : Engine.Config.Secrets.PassphraseCrypter.CreateNew(passphrase).EncryptionSalt);
            cli.Out.WriteLine($"Created {loaded.DisplayPath(loaded.StackFilePath)}" + (passphrase is null
                ? " (no passphrase set: add secrets later with PULUMI_CONFIG_PASSPHRASE set)"
                : " with a passphrase-protected encryption salt"));
        }
        var ws = StackWorkspace.Open(cli, ParseWithStack(parse, name));
        if (await ws.Backend.ExistsAsync(ws.Project, name, ct))
        {
            throw new CliException(ExitCodes.Error, $"stack '{name}' already exists in {ws.Backend.Url}");
        }
        await ws.Backend.CreateAsync(ws.Project, name, ct);
        cli.Out.WriteLine($"Created stack '{name}' in {ws.Backend.Url}");
        return ExitCodes.Ok;
    }

    /// <summary><paramref name="parse"/> again with <c>--stack <paramref name="name"/></c> (a verb that names its stack as an argument).</summary>
    public static ParseResult ParseWithStack(ParseResult parse, string name)
    {
        var args = parse.Tokens.Select(t => t.Value).ToList();
        args.AddRange(["--stack", name]);
        return parse.RootCommandResult.Command.Parse(args);
    }

    private static async Task<int> ListAsync(CliContext cli, ParseResult parse, bool json, CancellationToken ct)
    {
        var directory = StackWorkspace.Directory(cli, parse);
        var projectFile = ProjectLoader.FindProjectFile(directory)
            ?? throw new CliException(ExitCodes.ConfigOrUsage, $"no Pulumi.yaml found in {directory} or any parent directory");
        var projectDir = Path.GetDirectoryName(projectFile)!;
        var files = Directory.EnumerateFiles(projectDir, "Pulumi.*.y*ml").Select(f => Path.GetFileName(f).Split('.')[1]).ToHashSet(StringComparer.Ordinal);
        var anyStack = files.FirstOrDefault() ?? "_";
        var loaded = ProjectLoader.Load(directory, anyStack, environment: cli.Environment);
        var backend = cli.BackendFactory?.Invoke(projectDir) ?? BackendFactory.Create(cli.Environment("LLMCTL_BACKEND_URL") ?? loaded.Project.BackendUrl, projectDir);
        var deployed = (await backend.ListAsync(loaded.ProjectName, ct)).ToDictionary(s => s.Stack, StringComparer.Ordinal);
        var names = files.Union(deployed.Keys).Order(StringComparer.Ordinal).ToList();
        if (json)
        {
            var array = new JsonArray(names.Select(n => (JsonNode)new JsonObject
            {
                ["name"] = n,
                ["stackFile"] = files.Contains(n),
                ["lastUpdate"] = deployed.TryGetValue(n, out var s) ? s.LastUpdate?.ToString("O") : null,
                ["resourceCount"] = deployed.TryGetValue(n, out var t) ? t.ResourceCount : null,
                ["url"] = backend.Url,
            }).ToArray());
            cli.Out.WriteLine(array.ToJsonString(Indented));
            return ExitCodes.Ok;
        }
        cli.Out.WriteLine($"{"NAME",-24} {"LAST UPDATE",-22} {"RESOURCE COUNT",-15} STACK FILE");
        foreach (var n in names)
        {
            deployed.TryGetValue(n, out var s);
            cli.Out.WriteLine($"{n,-24} {(s?.LastUpdate is { } t ? t.ToString("yyyy-MM-dd HH:mm:ss") : "n/a"),-22} {(s is null ? "n/a" : s.ResourceCount.ToString()),-15} {(files.Contains(n) ? "yes" : "no")}");
        }
        cli.Out.WriteLine($"\nState: {backend.Url}");
        return ExitCodes.Ok;
    }

    private static async Task<int> OutputAsync(CliContext cli, ParseResult parse, string? name, bool json, bool showSecrets, bool shell, CancellationToken ct)
    {
        var ws = StackWorkspace.Open(cli, parse);
        var checkpoint = await ws.Backend.LoadAsync(ws.Project, ws.Stack, showSecrets ? ws.Crypter : ws.Crypter, ct)
            ?? throw new CliException(ExitCodes.StackNotFound, $"stack '{ws.Stack}' has not been deployed yet (run `llmctl up -s {ws.Stack}`)");
        var outputs = checkpoint.StackOutputs;
        JsonNode? Show(JsonNode? v) => showSecrets ? PropertyValues.Reveal(v) : PropertyValues.Redact(v);
        if (name is not null)
        {
            if (!outputs.TryGetPropertyValue(name, out var value))
            {
                throw new CliException(ExitCodes.Error, $"current stack does not have output property '{name}'" +
                    (outputs.Count > 0 ? $" (it has: {string.Join(", ", outputs.Select(o => o.Key))})" : ""));
            }
            var shown = Show(value);
            cli.Out.WriteLine(json ? shown?.ToJsonString(Indented) ?? "null" : shown is JsonValue v && v.TryGetValue<string>(out var s) ? s : shown?.ToJsonString() ?? "");
            return ExitCodes.Ok;
        }
        var all = new JsonObject(outputs.Select(kv => KeyValuePair.Create(kv.Key, Show(kv.Value))));
        if (json)
        {
            cli.Out.WriteLine(all.ToJsonString(Indented));
        }
        else if (shell)
        {
            foreach (var (k, v) in all) cli.Out.WriteLine($"{k}='{(v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : v?.ToJsonString())?.Replace("'", "'\\''")}'");
        }
        else
        {
            cli.Out.WriteLine("Current stack outputs ({0}):", all.Count);
            cli.Out.WriteLine($"    {"OUTPUT",-24} VALUE");
            foreach (var (k, v) in all) cli.Out.WriteLine($"    {k,-24} {(v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : v?.ToJsonString())}");
        }
        return ExitCodes.Ok;
    }
}

internal static class StackNames
{
    public static bool IsValid(string name) =>
        name.Length is > 0 and <= 100 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
