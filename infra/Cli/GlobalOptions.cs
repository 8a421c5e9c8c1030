using System.CommandLine;

namespace Llmctl.Infra.Cli;

/// <summary>Options every verb takes.</summary>
public static class GlobalOptions
{
    public static readonly Option<string?> Stack = new("--stack", "-s")
    {
        Description = "The stack to operate on (default: $LLMCTL_STACK, or the only Pulumi.<stack>.yaml present)",
        Recursive = true,
    };

    public static readonly Option<string?> Cwd = new("--cwd", "-C")
    {
        Description = "Run as if started in this directory",
        Recursive = true,
    };

    public static readonly Option<string> Color = new("--color")
    {
        Description = "Colorize output: auto, always, never (NO_COLOR is honoured)",
        Recursive = true,
        DefaultValueFactory = _ => "auto",
    };

    public static readonly Option<bool> NonInteractive = new("--non-interactive")
    {
        Description = "Never prompt; fail where a prompt would be needed",
        Recursive = true,
    };

    public static readonly Option<int> Verbose = new("--verbose", "-v")
    {
        Description = "Log what llmctl does to standard error at this level (1: stack and plan, 3: every step, 5: provider progress, 9: timings); never values",
        Recursive = true,
        DefaultValueFactory = _ => 0,
    };

    static GlobalOptions()
    {
        Color.AcceptOnlyFromAmong("auto", "always", "never");
        Verbose.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0) result.AddError($"--verbose must be 0 or more (got {result.GetValueOrDefault<int>()})");
        });
    }
}
