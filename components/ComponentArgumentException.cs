using Llmctl.Engine.Model;

namespace Llmctl.Components;

/// <summary>One broken rule in a component's arguments: which argument, and a sentence saying what to change.</summary>
public sealed record ArgumentProblem(string Argument, string Message)
{
    public override string ToString() => $"{Argument}: {Message}";
}

/// <summary>
/// A component was given arguments it cannot build from. Every problem is collected before this is thrown, so one run
/// reports them all; each names the argument and says what to change. A user's mistake, not a bug: print the message,
/// not the stack trace.
/// </summary>
public sealed class ComponentArgumentException : Exception
{
    public ComponentArgumentException(Urn urn, IReadOnlyList<ArgumentProblem> problems)
        : base(Format(urn, problems))
    {
        Urn = urn;
        Problems = problems;
    }

    public Urn Urn { get; }
    public IReadOnlyList<ArgumentProblem> Problems { get; }

    /// <summary>Throws when <paramref name="problems"/> is not empty.</summary>
    public static void ThrowIfAny(Resource component, IReadOnlyList<ArgumentProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(component);
        if (problems.Count > 0) throw new ComponentArgumentException(component.Urn, problems);
    }

    private static string Format(Urn urn, IReadOnlyList<ArgumentProblem> problems)
    {
        var noun = problems.Count == 1 ? "argument" : "arguments";
        var lines = problems.Select(p => $"  - {p}");
        return $"{urn.Type} '{urn.Name}' has {problems.Count} invalid {noun} ({urn}):{Environment.NewLine}"
            + string.Join(Environment.NewLine, lines);
    }
}
