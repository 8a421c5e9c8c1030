namespace Llmctl.Stacks;

/// <summary>One thing the composition cannot build, at the config key it came from.</summary>
/// <param name="KeyPath">The config key path (<c>llm-platform:lanes.items[1].node</c>).</param>
/// <param name="Problem">What is wrong; a fix follows the first "; " when there is one.</param>
public sealed record CompositionProblem(string KeyPath, string Problem)
{
    public override string ToString() => $"{KeyPath}: {Problem}";
}

/// <summary>
/// The stack configuration names something the composition cannot build (unknown hardware, a lane on a node that is
/// not declared, a runtime not supported yet, a component argument it refuses). Carries every problem the composition
/// found, each at its config key (<see cref="CompositionProblem.KeyPath"/>), so the pipeline can print them all with
/// the file:line:column of the stack value. A user's mistake: print the message, not the stack trace.
/// </summary>
public sealed class StackCompositionException : Exception
{
    public StackCompositionException(string keyPath, string problem) : this([new CompositionProblem(keyPath, problem)])
    {
    }

    public StackCompositionException(IReadOnlyList<CompositionProblem> problems)
        : base(string.Join(Environment.NewLine, problems))
    {
        ArgumentOutOfRangeException.ThrowIfZero(problems.Count);
        Problems = problems;
    }

    public IReadOnlyList<CompositionProblem> Problems { get; }

    /// <summary>The first problem's key path.</summary>
    public string KeyPath => Problems[0].KeyPath;

    /// <summary>The first problem.</summary>
    public string Problem => Problems[0].Problem;
}
