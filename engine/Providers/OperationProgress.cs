namespace Llmctl.Engine.Providers;

/// <summary>
/// How a provider reports progress while it waits (a rollout at 0/1 replicas, a Job still running): the engine sets
/// a sink for the step being run, and the provider calls <see cref="Report"/>. Without a sink, reports go nowhere.
/// </summary>
public static class OperationProgress
{
    private static readonly AsyncLocal<Action<string>?> Sink = new();

    public static void Report(string message) => Sink.Value?.Invoke(message);

    /// <summary>Routes reports made on this async flow to <paramref name="sink"/> until disposed.</summary>
    public static IDisposable Route(Action<string> sink)
    {
        var previous = Sink.Value;
        Sink.Value = sink;
        return new Restore(previous);
    }

    private sealed class Restore(Action<string>? previous) : IDisposable
    {
        public void Dispose() => Sink.Value = previous;
    }
}
