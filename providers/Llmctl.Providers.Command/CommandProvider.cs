using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Providers;

namespace Llmctl.Providers.Command;

/// <summary>
/// The <c>command</c> package: <c>command:local:Command</c>, <c>command:remote:Command</c> and
/// <c>command:remote:CopyToRemote</c>. Register it with <c>registry.Register("command", new CommandProvider())</c>.
/// Nothing runs during preview (the engine only calls create, update and delete when applying). Commands cannot be
/// read back, so a read returns what was recorded.
/// </summary>
public sealed class CommandProvider(CommandProviderOptions? options = null) : IProvider
{
    public const string PreviousStdoutVariable = "PULUMI_COMMAND_STDOUT";
    public const string PreviousStderrVariable = "PULUMI_COMMAND_STDERR";
    private const int ErrorTailChars = 2000;

    private readonly SshConnector _ssh = new(options ?? new CommandProviderOptions());

    public Task<IReadOnlyList<CheckFailure>> CheckAsync(Urn urn, string type, JsonObject inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (type is not (CommandTypes.LocalCommand or CommandTypes.RemoteCommand or CommandTypes.CopyToRemote))
        {
            return Task.FromResult<IReadOnlyList<CheckFailure>>([new CheckFailure("type", $"the command provider has no resource type '{type}'")]);
        }
        return Task.FromResult(CommandInputs.Check(type, inputs));
    }

    /// <summary>The engine's input diff (with the resources' <c>ReplaceOnChanges</c>) is the right one.</summary>
    public Task<DiffResult?> DiffAsync(Urn urn, string type, string? id, JsonObject oldInputs, JsonObject oldOutputs, JsonObject newInputs, CancellationToken cancellationToken) =>
        Task.FromResult<DiffResult?>(null);

    public async Task<ProviderResult> CreateAsync(Urn urn, string type, JsonObject inputs, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var id = $"{urn.Name}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        var outputs = await ApplyAsync(type, inputs, previous: null, useUpdate: false, timeout, cancellationToken).ConfigureAwait(false);
        return new ProviderResult(id, outputs);
    }

    public async Task<ProviderResult> UpdateAsync(Urn urn, string type, string id, JsonObject oldInputs, JsonObject oldOutputs, JsonObject newInputs, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var outputs = await ApplyAsync(type, newInputs, oldOutputs, useUpdate: true, timeout, cancellationToken).ConfigureAwait(false);
        return new ProviderResult(id, outputs);
    }

    public async Task DeleteAsync(Urn urn, string type, string id, JsonObject inputs, JsonObject outputs, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (type == CommandTypes.CopyToRemote)
        {
            // Like Pulumi's CopyToRemote: deleting the resource leaves the copied files where they are.
            OperationProgress.Report("the copied files are left on the host (CopyToRemote does not remove them)");
            return;
        }
        var parsed = CommandInputs.Parse(inputs);
        if (parsed.Delete is not { Length: > 0 } command) return;
        await RunAsync(type, parsed, command, outputs, timeout, cancellationToken).ConfigureAwait(false);
    }

    public Task<ProviderResult?> ReadAsync(Urn urn, string type, string id, JsonObject inputs, JsonObject outputs, CancellationToken cancellationToken) =>
        Task.FromResult<ProviderResult?>(new ProviderResult(id, outputs));

    private async Task<JsonObject> ApplyAsync(string type, JsonObject inputs, JsonObject? previous, bool useUpdate, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        // Pulumi's state echoes the inputs beside stdout and stderr; secret wrappers are kept as they are.
        var outputs = (JsonObject)inputs.DeepClone();
        if (type == CommandTypes.CopyToRemote)
        {
            await CopyAsync(inputs, timeout, cancellationToken).ConfigureAwait(false);
            return outputs;
        }
        var parsed = CommandInputs.Parse(inputs);
        var command = useUpdate ? parsed.Update ?? parsed.Create : parsed.Create;
        var run = command is { Length: > 0 }
            ? await RunAsync(type, parsed, command, previous, timeout, cancellationToken).ConfigureAwait(false)
            : new CommandRun(0, "", "");
        outputs["stdout"] = parsed.FeedsSecret ? PropertyValues.Secret(run.Stdout) : run.Stdout;
        outputs["stderr"] = parsed.FeedsSecret ? PropertyValues.Secret(run.Stderr) : run.Stderr;
        return outputs;
    }

    private async Task<CommandRun> RunAsync(string type, CommandInputs parsed, string command, JsonObject? previous, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>(parsed.Environment, StringComparer.Ordinal);
        if (parsed.AddPreviousOutputInEnv && previous is not null)
        {
            environment[PreviousStdoutVariable] = PropertyValues.Reveal(previous["stdout"])?.ToString() ?? "";
            environment[PreviousStderrVariable] = PropertyValues.Reveal(previous["stderr"])?.ToString() ?? "";
        }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        CommandRun run;
        if (type == CommandTypes.LocalCommand)
        {
            run = await new LocalRunner(parsed.Interpreter, parsed.Dir).RunAsync(command, parsed.Stdin, environment, cts.Token).ConfigureAwait(false);
        }
        else
        {
            using var client = await _ssh.ConnectSshAsync(parsed.Connection!, cts.Token).ConfigureAwait(false);
            run = await new RemoteRunner(client).RunAsync(command, parsed.Stdin, environment, cts.Token).ConfigureAwait(false);
        }
        run = run with { Stdout = TrimFinalNewline(run.Stdout), Stderr = TrimFinalNewline(run.Stderr) };
        Log(parsed, run);
        if (run.ExitCode != 0)
        {
            var tail = Redact(run.Stderr, parsed.Secrets);
            if (tail.Length > ErrorTailChars) tail = "…" + tail[^ErrorTailChars..];
            throw new ProviderException($"command exited with code {run.ExitCode}" + (tail.Length > 0 ? $"; stderr:\n{tail}" : " (no stderr)"));
        }
        return run;
    }

    private async Task CopyAsync(JsonObject inputs, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var connection = CommandInputs.Parse(inputs).Connection ?? throw new ProviderException("connection is required");
        var source = CommandInputs.Str(inputs, "source") ?? throw new ProviderException("source is required");
        var remotePath = CommandInputs.Str(inputs, "remotePath") ?? throw new ProviderException("remotePath is required");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        using var sftp = await _ssh.ConnectSftpAsync(connection, cts.Token).ConfigureAwait(false);
        var count = await new RemoteCopier(sftp).UploadAsync(source, remotePath, cts.Token).ConfigureAwait(false);
        OperationProgress.Report($"copied {count} file{(count == 1 ? "" : "s")} from {source} to {connection.Host}:{remotePath}");
    }

    /// <summary>Writes the output lines <c>logging</c> asks for to the step's progress; never when a secret fed the command.</summary>
    private static void Log(CommandInputs parsed, CommandRun run)
    {
        if (!parsed.LogStdout && !parsed.LogStderr) return;
        if (parsed.FeedsSecret)
        {
            OperationProgress.Report("output not shown: a secret input fed the command");
            return;
        }
        if (parsed.LogStdout)
        {
            foreach (var line in Lines(run.Stdout)) OperationProgress.Report(line);
        }
        if (parsed.LogStderr)
        {
            foreach (var line in Lines(run.Stderr)) OperationProgress.Report(line);
        }
    }

    private static IEnumerable<string> Lines(string text) => text.Length == 0 ? [] : text.Split('\n');

    internal static string Redact(string text, IReadOnlyList<string> secrets)
    {
        foreach (var secret in secrets) text = text.Replace(secret, PropertyValues.SecretDisplay, StringComparison.Ordinal);
        return text;
    }

    /// <summary>Like Pulumi.Command, outputs drop the one trailing newline most commands print.</summary>
    private static string TrimFinalNewline(string text) =>
        text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
}
