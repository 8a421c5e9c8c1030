using System.CommandLine;
using Llmctl.Engine.Config;
using Llmctl.Engine.Providers;
using Llmctl.Engine.State;
using Llmctl.Infra.Cli;
using Llmctl.Infra.Commands;

namespace Llmctl.Infra;

/// <summary>The command tree in one place, and the one place where failures become exit codes.</summary>
public sealed class LlmctlApp(CliContext cli)
{
    public RootCommand BuildRoot()
    {
        var root = new RootCommand("llmctl — infrastructure as code for self-hosted LLM platforms (k3s, GPUs, model lanes, gateway)")
        {
            GlobalOptions.Stack, GlobalOptions.Cwd, GlobalOptions.Color, GlobalOptions.NonInteractive, GlobalOptions.Verbose,
        };
        root.Subcommands.Add(PreviewCommand.Build(cli));
        root.Subcommands.Add(UpCommand.Build(cli));
        root.Subcommands.Add(DestroyCommand.Build(cli));
        root.Subcommands.Add(RefreshCommand.Build(cli));
        root.Subcommands.Add(ConfigCommand.Build(cli));
        root.Subcommands.Add(StackCommand.Build(cli));
        root.Subcommands.Add(StateCommand.Build(cli));
        root.Subcommands.Add(RenderCommand.Build(cli));
        root.Subcommands.Add(ChartsCommand.Build(cli));
        root.Subcommands.Add(FitCommand.Build(cli));
        root.Subcommands.Add(LockCommand.Build(cli));
        root.Subcommands.Add(PolicyCommand.Build(cli));
        root.Subcommands.Add(PreflightCommand.Build(cli));
        root.Subcommands.Add(SwitchCommand.Build(cli));
        root.Subcommands.Add(VersionCommand.Build(cli));
        root.Subcommands.Add(BenchCommand.Build(cli));
        return root;
    }

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var parse = BuildRoot().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) cli.Err.WriteLine($"error: {error.Message}");
            cli.Err.WriteLine("run 'llmctl --help' for usage");
            return ExitCodes.ConfigOrUsage;
        }
        if (args.Length == 0)
        {
            // Like Pulumi ≥ 3.254: a bare invocation prints help and is not a success.
            await parse.InvokeAsync(new InvocationConfiguration { Output = cli.Out, Error = cli.Err }, cancellationToken);
            await BuildRoot().Parse(["--help"]).InvokeAsync(new InvocationConfiguration { Output = cli.Out, Error = cli.Err }, cancellationToken);
            return ExitCodes.ConfigOrUsage;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = cli.Out, Error = cli.Err, EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (Exception ex)
        {
            return Report(ex);
        }
    }

    private int Report(Exception ex)
    {
        switch (ex)
        {
            case CliException e:
                cli.Err.WriteLine($"error: {e.Message}");
                return e.ExitCode;
            case ConfigException e:
                foreach (var d in e.Diagnostics) cli.Err.WriteLine($"error: {d}");
                cli.Err.WriteLine($"{e.Diagnostics.Count} problem(s) in the configuration; nothing was changed");
                return ExitCodes.ConfigOrUsage;
            case Fit.Lock.ModelLockException e:
                foreach (var d in e.Diagnostics) cli.Err.WriteLine($"error: {d}");
                cli.Err.WriteLine($"{e.Diagnostics.Count} problem(s) in the model lock; nothing was changed");
                return ExitCodes.ConfigOrUsage;
            case SecretDecryptionException e:
                cli.Err.WriteLine($"error: {e.Message}");
                return ExitCodes.ConfigOrUsage;
            case StackLockedException e:
                cli.Err.WriteLine($"error: {e.Message}");
                return ExitCodes.Error;
            case StackAlreadyExistsException e:
                cli.Err.WriteLine($"error: {e.Message}");
                return ExitCodes.Error;
            case CheckpointFormatException or StateWriteException or CheckpointLostException:
                // The state could not be read, was lost, or could not be written: the message names the file and what to do.
                cli.Err.WriteLine($"error: {ex.Message}");
                return ExitCodes.Error;
            case ProviderException e:
                cli.Err.WriteLine($"error: {e.Message}");
                return ExitCodes.ResourceError;
            case OperationCanceledException:
                cli.Err.WriteLine("error: cancelled");
                return ExitCodes.Cancelled;
            // The environment refused something (a folder not writable, a path that is a file, a server not reachable):
            // the framework's message names the path or host, and is what the user acts on.
            case UnauthorizedAccessException or IOException or System.Net.Http.HttpRequestException:
                cli.Err.WriteLine($"error: {ex.Message}");
                return ExitCodes.Error;
            default:
                // A bug in llmctl, still exit 1 (Pulumi's "error"): 255 reads as a crash to scripts and CI.
                cli.Err.WriteLine($"error: internal error: {ex.Message}");
                if (cli.Environment("LLMCTL_DEBUG") is not null) cli.Err.WriteLine(ex.ToString());
                else cli.Err.WriteLine("(set LLMCTL_DEBUG=1 for the stack trace, and please report it)");
                return ExitCodes.Error;
        }
    }
}
