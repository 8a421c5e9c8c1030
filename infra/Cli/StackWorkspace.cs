using System.CommandLine;
using Llmctl.Engine.Config;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Policy;
using Llmctl.Engine.State;
using Llmctl.Stacks.Config;
using Llmctl.Fit.Lock;

namespace Llmctl.Infra.Cli;

/// <summary>
/// What every verb shares: find the project, pick the stack, then <see cref="Stacks.StackPipeline"/> (load, bind,
/// compose, policies, plan) and read the checkpoint. Each stage stops with the right exit code.
/// </summary>
internal sealed class StackWorkspace
{
    private StackWorkspace(CliContext cli, LoadedStack loaded, IStateBackend backend, CliLog log, Task<ModelLockFile?>? locks)
    {
        Cli = cli;
        Log = log;
        Loaded = loaded;
        Backend = backend;
        Crypter = new LazyCrypter(() => Loaded.Crypter);
        // The stack files are read once (Loaded), so their typed view and the model lock are too: compose, the fit
        // estimates of the policies and the chart setup share them instead of binding and parsing again.
        _config = new Lazy<StackConfig>(() => Stacks.StackPipeline.Bind(Loaded));
        // GetResult throws what the read threw (a ModelLockException for a malformed file), as a direct call would.
        _locks = new Lazy<ModelLockFile?>(() => locks is null
            ? Stacks.StackPipeline.LoadModelLocks(Loaded.ProjectDirectory)
            : locks.GetAwaiter().GetResult());
    }

    private readonly Lazy<StackConfig> _config;
    private readonly Lazy<ModelLockFile?> _locks;

    public CliContext Cli { get; }
    /// <summary><c>-v/--verbose</c>: what the verb does, on standard error.</summary>
    public CliLog Log { get; }
    public LoadedStack Loaded { get; }
    public IStateBackend Backend { get; }
    public ISecretCrypter Crypter { get; }
    public string Project => Loaded.ProjectName;

    /// <summary>The providers for this stack; <paramref name="liveDiff"/> makes diffs dry-run against the live system.</summary>
    public Engine.Providers.ProviderRegistry Providers(bool liveDiff = false) =>
        Cli.ProviderFactory?.Invoke(Loaded, liveDiff) ?? Cli.Providers;
    public string Stack => Loaded.StackName;

    /// <param name="readsModelLocks">The verb composes or estimates, so it reads <c>models.lock.yaml</c>: the read starts
    /// now, on another core, beside the stack file's. Other verbs read it only if they ask (<see cref="LoadModelLocks"/>).</param>
    public static StackWorkspace Open(CliContext cli, ParseResult parse, bool requireStackFile = true, bool readsModelLocks = false)
    {
        var directory = Directory(cli, parse);
        var projectFile = ProjectLoader.FindProjectFile(directory)
            ?? throw new CliException(ExitCodes.ConfigOrUsage, $"no Pulumi.yaml found in {directory} or any parent directory; run llmctl from the project directory or pass -C <dir>");
        var projectDirectory = Path.GetDirectoryName(projectFile)!;
        var stack = ResolveStackName(cli, parse, projectDirectory);
        // models.lock.yaml is read on another core while the stack file is read and bound: on a large stack each takes
        // a tenth of a second.
        var locks = readsModelLocks ? Task.Run(() => Stacks.StackPipeline.LoadModelLocks(projectDirectory)) : null;
        var loaded = Stacks.StackPipeline.Load(directory, stack, cli.Environment);
        loaded.ThrowIfErrors();
        // A verb that goes on to compose thousands of objects does it in memory the parser no longer needs.
        if (readsModelLocks) ParserGarbage.CollectIfLarge();
        if (requireStackFile && !loaded.StackExists)
        {
            throw new CliException(ExitCodes.StackNotFound,
                $"no stack named '{stack}' found: {loaded.DisplayPath(loaded.StackFilePath)} does not exist; create it with `llmctl stack init {stack}`");
        }
        var backendUrl = cli.Environment("LLMCTL_BACKEND_URL") ?? loaded.Project.BackendUrl;
        IStateBackend backend;
        try
        {
            backend = cli.BackendFactory?.Invoke(loaded.ProjectDirectory)
                ?? BackendFactory.Create(backendUrl, loaded.ProjectDirectory, ProviderSetup.Values(loaded, "kubernetes"));
        }
        catch (NotSupportedException ex)
        {
            var from = cli.Environment("LLMCTL_BACKEND_URL") is not null ? "LLMCTL_BACKEND_URL" : "backend.url in Pulumi.yaml";
            throw new CliException(ExitCodes.ConfigOrUsage, $"{from}: {ex.Message}");
        }
        var log = CliLog.For(cli, parse);
        log.Write(1, $"llmctl {Commands.VersionCommand.Current}: project '{loaded.ProjectName}' ({projectFile}), stack '{stack}' ({loaded.StackFilePath}), state {backend.Url}");
        return new StackWorkspace(cli, loaded, backend, log, locks);
    }

    public static string Directory(CliContext cli, ParseResult parse)
    {
        var cwd = parse.GetValue(GlobalOptions.Cwd);
        return cwd is null ? cli.WorkingDirectory : Path.GetFullPath(Path.Combine(cli.WorkingDirectory, cwd));
    }

    /// <summary><c>-s</c>, else <c>$LLMCTL_STACK</c>, else the only stack file beside Pulumi.yaml.</summary>
    public static string ResolveStackName(CliContext cli, ParseResult parse, string projectDirectory)
    {
        var name = parse.GetValue(GlobalOptions.Stack) ?? cli.Environment("LLMCTL_STACK");
        if (!string.IsNullOrWhiteSpace(name)) return name;
        var stacks = System.IO.Directory.EnumerateFiles(projectDirectory, "Pulumi.*.y*ml")
            .Select(f => Path.GetFileName(f).Split('.')[1]).Distinct().Order(StringComparer.Ordinal).ToList();
        return stacks.Count == 1
            ? stacks[0]
            : throw new CliException(ExitCodes.StackNotFound,
                "no stack selected; pass -s <stack> or set LLMCTL_STACK" + (stacks.Count > 0 ? $" (stacks here: {string.Join(", ", stacks)})" : ""));
    }

    /// <summary>The typed view of the stack file (<see cref="Stacks.StackPipeline.Bind"/>); every problem at once, exit 2.</summary>
    public StackConfig BindConfig() => _config.Value;

    /// <summary>Binds and composes the stack through <see cref="Stacks.StackPipeline"/>; every problem at once, located, exit 2.</summary>
    public StackContext Compose(bool isPreview) => Compose(BindConfig(), isPreview);

    /// <summary>Composes <paramref name="config"/> (the stack's, or one derived from it, as preflight's switched lanes).</summary>
    public StackContext Compose(StackConfig config, bool isPreview) => Stacks.StackPipeline.Compose(Loaded, config, LoadModelLocks(), isPreview);

    /// <summary>The project's <c>models.lock.yaml</c>, or null when it has none; a malformed file is a config error (exit 2).</summary>
    public ModelLockFile? LoadModelLocks() => _locks.Value;

    /// <summary>Runs the stack's policy packs under its <c>llmctl:policies</c> settings (<see cref="Stacks.StackPipeline.Policies"/>).</summary>
    public PolicyReport RunPolicies(StackContext desired, Plan? plan) => Stacks.StackPipeline.Policies(Loaded, desired, plan, StackLaneFit.For(this));

    /// <summary>The steps from the checkpoint to <paramref name="desired"/> (<see cref="Stacks.StackPipeline.Plan"/>).</summary>
    public Task<Plan> PlanAsync(StackContext desired, StackCheckpoint checkpoint, bool liveDiff, PlanOptions options, CancellationToken cancellationToken) =>
        Stacks.StackPipeline.Plan(desired, checkpoint, Providers(liveDiff), options, cancellationToken);

    /// <summary>The checkpoint, or an empty one when the stack has never been deployed.</summary>
    public async Task<StackCheckpoint> LoadCheckpointAsync(CancellationToken cancellationToken) =>
        await Backend.LoadAsync(Project, Stack, Crypter, cancellationToken).ConfigureAwait(false)
        ?? StackCheckpoint.Empty(Project, Stack) with { SecretsSalt = Loaded.StackFile?.EncryptionSalt };
}
