using System.CommandLine;
using Llmctl.Engine.Planning;

namespace Llmctl.Infra.Cli;

/// <summary>
/// <c>-v/--verbose &lt;level&gt;</c>: what llmctl is doing, on standard error, one line per event, as Pulumi's
/// <c>-v</c> with <c>--logtostderr</c>. Level 1: the project, stack, backend and a plan's counts; 3: every planned step
/// and every step as it runs; 5: what providers report while they wait; 9: how long each stage took. Lines name files,
/// URNs and property keys, never a config or property value, so no secret can reach the log.
/// </summary>
internal sealed class CliLog(TextWriter err, int level)
{
    public static CliLog For(CliContext cli, ParseResult parse) => new(cli.Err, parse.GetValue(GlobalOptions.Verbose));

    public int Level => level;

    public bool Enabled(int verbosity) => verbosity <= level;

    public void Write(int verbosity, string message)
    {
        if (verbosity > level) return;
        lock (err) err.WriteLine($"I{DateTimeOffset.UtcNow:MMdd HH:mm:ss.fff} v{verbosity}] {message}");
    }

    /// <summary>A plan's counts at level 1, each step (op, URN, changed keys) at level 3, its diagnostics at level 1.</summary>
    public void Plan(Plan plan)
    {
        if (level < 1) return;
        Write(1, $"plan for {plan.Project}/{plan.Stack}: {plan.Steps.Count} step(s) ("
            + string.Join(", ", plan.ChangeSummary.Select(kv => $"{kv.Key.Json()} {kv.Value}")) + ")");
        foreach (var step in plan.Steps)
        {
            Write(3, $"plan: {step.Op.Json()} {step.Urn}" + (step.DiffReasons.Count > 0 ? $" [diff: {string.Join(",", step.DiffReasons)}]" : ""));
        }
        foreach (var d in plan.Diagnostics) Write(1, $"plan {d.Severity.ToString().ToLowerInvariant()}: {d.Message.ReplaceLineEndings(" ")}");
    }
}
