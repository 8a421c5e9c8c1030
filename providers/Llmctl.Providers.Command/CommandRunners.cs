using System.Diagnostics;
using System.Text;
using Renci.SshNet;

namespace Llmctl.Providers.Command;

/// <summary>How a command ended.</summary>
internal sealed record CommandRun(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs a command text with stdin and environment, here or on a host.</summary>
internal interface ICommandRunner
{
    Task<CommandRun> RunAsync(string command, string? stdin, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken);
}

/// <summary>Runs through the interpreter (<c>/bin/sh -c</c> by default) in <c>dir</c>, with the environment added to llmctl's own.</summary>
internal sealed class LocalRunner(IReadOnlyList<string> interpreter, string? dir) : ICommandRunner
{
    public async Task<CommandRun> RunAsync(string command, string? stdin, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        if (dir is not null && !Directory.Exists(dir))
        {
            throw new Engine.Providers.ProviderException($"dir '{dir}' does not exist");
        }
        var start = new ProcessStartInfo(interpreter[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dir ?? "",
            StandardInputEncoding = new UTF8Encoding(false),
        };
        foreach (var arg in interpreter.Skip(1)) start.ArgumentList.Add(arg);
        start.ArgumentList.Add(command);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new Engine.Providers.ProviderException($"could not start interpreter '{interpreter[0]}': {ex.Message}");
        }
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            if (stdin is not null) await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The command exited without reading all of stdin; its exit code tells the story.
        }
        finally
        {
            process.StandardInput.Close();
        }
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new CommandRun(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}

/// <summary>
/// Runs over an SSH session. The environment is passed by prefixing <c>export NAME='value';</c> (sshd rarely has
/// <c>AcceptEnv</c> for arbitrary names); stdin is written to the channel and then closed, so a command that reads
/// stdin sees end of input rather than hanging.
/// </summary>
internal sealed class RemoteRunner(SshClient client) : ICommandRunner
{
    public async Task<CommandRun> RunAsync(string command, string? stdin, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        using var ssh = client.CreateCommand(WithEnvironment(command, environment));
        var execution = ssh.ExecuteAsync(cancellationToken);
        using (var input = ssh.CreateInputStream())
        {
            if (stdin is not null) await input.WriteAsync(Encoding.UTF8.GetBytes(stdin), cancellationToken).ConfigureAwait(false);
        }
        await execution.ConfigureAwait(false);
        var exit = ssh.ExitStatus ?? (ssh.ExitSignal is not null ? 128 : -1);
        var stderr = ssh.Error;
        if (ssh.ExitStatus is null && ssh.ExitSignal is { } sig) stderr += $"\n(killed by signal {sig})";
        return new CommandRun(exit, ssh.Result, stderr);
    }

    internal static string WithEnvironment(string command, IReadOnlyDictionary<string, string> environment)
    {
        if (environment.Count == 0) return command;
        var exports = new StringBuilder();
        foreach (var (key, value) in environment.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            exports.Append("export ").Append(key).Append('=').Append(ShellQuote(value)).Append("; ");
        }
        return exports.Append(command).ToString();
    }

    /// <summary>POSIX single quoting: everything literal, each <c>'</c> written as <c>'\''</c>.</summary>
    internal static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
