namespace Llmctl.Stacks;

/// <summary>
/// The stack configuration names something the composition cannot build (unknown hardware, a lane on a node that is
/// not declared, a runtime not supported yet). <see cref="KeyPath"/> is the config key (<c>llm-platform:lanes.items[1].node</c>).
/// A user's mistake: print the message, not the stack trace.
/// </summary>
public sealed class StackCompositionException(string keyPath, string problem)
    : Exception($"{keyPath}: {problem}")
{
    public string KeyPath { get; } = keyPath;
    public string Problem { get; } = problem;
}
