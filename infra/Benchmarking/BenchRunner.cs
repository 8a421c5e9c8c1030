using System.Collections.Concurrent;
using System.Diagnostics;

namespace Llmctl.Infra.Benchmarking;

/// <summary>
/// What a run measures. Every target runs every scenario: each context step (prompt tokens) at each concurrency
/// level, for <see cref="Requests"/> requests or for <see cref="Duration"/> (a request started before the end is
/// finished and counted). <see cref="Prime"/> untimed requests go to each target first, so a model still loading
/// does not count (seed 000). <see cref="Session"/>: each worker continues one conversation through the context
/// steps, so a server's prefix cache can help as it does in a real chat (seed 000's re-run).
/// </summary>
public sealed record BenchSettings
{
    public required IReadOnlyList<int> Contexts { get; init; }
    public IReadOnlyList<int> Concurrency { get; init; } = [1];
    public int? Requests { get; init; } = 3;
    public TimeSpan? Duration { get; init; }
    public int Prime { get; init; } = 1;
    public bool VaryPrompts { get; init; }
    public bool Session { get; init; }
    public int MaxTokens { get; init; } = 256;
    public double Temperature { get; init; } = 0.2;
    public RequestTimeouts Timeouts { get; init; } = RequestTimeouts.Default;
}

/// <summary>What the live display hears about.</summary>
public interface IBenchProgress
{
    void Priming(ChatTarget target, int requests);
    void ScenarioStarted(ChatTarget target, int context, int concurrency, int index, int count);
    void RequestDone(RequestSample sample);
    void ScenarioDone(ScenarioSummary summary);
}

/// <summary>Every timed request and every scenario's figures, in the order they ran.</summary>
public sealed record BenchResult(IReadOnlyList<RequestSample> Samples, IReadOnlyList<ScenarioSummary> Scenarios, DateTimeOffset Started, DateTimeOffset Finished);

/// <summary>Runs <see cref="BenchSettings"/> against targets, scenario by scenario, the targets side by side in each.</summary>
public sealed class BenchRunner(BenchSettings settings, IBenchProgress? progress = null)
{
    private readonly string _runId = Guid.NewGuid().ToString("N")[..8];

    public async Task<BenchResult> RunAsync(IReadOnlyList<ChatTarget> targets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var started = DateTimeOffset.UtcNow;
        var runStart = Stopwatch.GetTimestamp();
        var clients = targets.Select(t => new ChatStreamClient(t)).ToList();
        var samples = new List<RequestSample>();
        var scenarios = new List<ScenarioSummary>();
        try
        {
            var factories = targets.ToDictionary(t => t.Name, _ => new PromptFactory(settings.VaryPrompts, _runId), StringComparer.Ordinal);
            foreach (var client in clients)
            {
                if (settings.Prime <= 0) continue;
                progress?.Priming(client.Target, settings.Prime);
                var factory = factories[client.Target.Name];
                for (var i = 0; i < settings.Prime; i++)
                {
                    var messages = factory.Single(settings.Contexts.Min());
                    var estimate = factory.Estimate(messages);
                    var primed = await client.SendAsync(messages, Math.Min(settings.MaxTokens, 16), settings.Temperature, estimate, settings.Timeouts, 0, 1, runStart, cancellationToken).ConfigureAwait(false);
                    if (primed.UsageFromServer) factory.Calibrate(estimate, primed.PromptTokens);
                }
            }
            var sessions = new Dictionary<(string, int), List<ChatMessage>>();
            var count = settings.Contexts.Count * settings.Concurrency.Count * clients.Count;
            var index = 0;
            foreach (var context in settings.Contexts)
            {
                foreach (var concurrency in settings.Concurrency)
                {
                    foreach (var client in clients)
                    {
                        progress?.ScenarioStarted(client.Target, context, concurrency, ++index, count);
                        var (taken, wall) = await RunScenarioAsync(client, factories[client.Target.Name], sessions, context, concurrency, runStart, cancellationToken).ConfigureAwait(false);
                        samples.AddRange(taken);
                        var summary = ScenarioSummary.Of(client.Target.Name, client.Target.Kind, context, concurrency, taken, wall);
                        scenarios.Add(summary);
                        progress?.ScenarioDone(summary);
                    }
                }
            }
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
        return new BenchResult(samples, scenarios, started, DateTimeOffset.UtcNow);
    }

    private async Task<(List<RequestSample>, TimeSpan)> RunScenarioAsync(ChatStreamClient client, PromptFactory factory,
        Dictionary<(string, int), List<ChatMessage>> sessions, int context, int concurrency, long runStart, CancellationToken cancellationToken)
    {
        var taken = new ConcurrentBag<RequestSample>();
        var issued = 0;
        var scenarioStart = Stopwatch.GetTimestamp();
        var histories = Enumerable.Range(0, concurrency).Select(w =>
        {
            if (!sessions.TryGetValue((client.Target.Name, w), out var h)) sessions[(client.Target.Name, w)] = h = [];
            return h;
        }).ToList();

        bool More() => settings.Duration is { } d
            ? Stopwatch.GetElapsedTime(scenarioStart) < d && (settings.Requests is not { } cap || Interlocked.Increment(ref issued) <= cap)
            : Interlocked.Increment(ref issued) <= (settings.Requests ?? 1);

        async Task Worker(int w)
        {
            var history = histories[w];
            while (More())
            {
                var messages = settings.Session ? factory.Continue(history, context) : factory.Single(context);
                var estimate = factory.Estimate(messages);
                string? reply = null;
                var sample = await client.SendAsync(messages, settings.MaxTokens, settings.Temperature, estimate, settings.Timeouts, context, concurrency, runStart,
                    cancellationToken, settings.Session ? r => reply = r : null).ConfigureAwait(false);
                if (sample.UsageFromServer && !settings.Session) factory.Calibrate(estimate, sample.PromptTokens);
                if (settings.Session && reply is not null)
                {
                    history.Clear();
                    history.AddRange(messages);
                    history.Add(new ChatMessage("assistant", reply));
                }
                taken.Add(sample);
                progress?.RequestDone(sample);
            }
        }

        // Each worker is its own task from the start: the requests of one scenario are in flight together.
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(() => Worker(w), cancellationToken))).ConfigureAwait(false);
        return (taken.OrderBy(s => s.Start).ToList(), Stopwatch.GetElapsedTime(scenarioStart));
    }
}
