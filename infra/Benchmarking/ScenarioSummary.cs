namespace Llmctl.Infra.Benchmarking;

/// <summary>
/// The figures of one scenario (a target at one context step and one concurrency level), from its timed samples:
/// percentiles of TTFT and latency, mean prefill and decode speeds per request, and the aggregate throughput (all
/// completion tokens over the scenario's wall time). Only successful requests count towards the timings.
/// </summary>
public sealed record ScenarioSummary
{
    public required string Target { get; init; }
    public required TargetKind Kind { get; init; }
    /// <summary>The context step asked for (prompt tokens).</summary>
    public required int Context { get; init; }
    public required int Concurrency { get; init; }
    public int Requests { get; init; }
    public int Ok { get; init; }
    public int Errors { get; init; }
    public int Timeouts { get; init; }
    /// <summary>Mean prompt tokens sent (the server's count when it reported usage).</summary>
    public double PromptTokens { get; init; }
    public double CompletionTokens { get; init; }
    public double? TtftP50Ms { get; init; }
    public double? TtftP95Ms { get; init; }
    public double? TtftMeanMs { get; init; }
    public double? LatencyP50Ms { get; init; }
    public double? LatencyP95Ms { get; init; }
    public double? PrefillTokensPerSecond { get; init; }
    public double? DecodeTokensPerSecond { get; init; }
    public double? DecodeP50TokensPerSecond { get; init; }
    /// <summary>Completion tokens of all requests over the scenario's wall time: what the server delivered in all.</summary>
    public double ThroughputTokensPerSecond { get; init; }
    public double RequestsPerSecond { get; init; }
    public double WallSeconds { get; init; }
    /// <summary>Every successful request's counts came from the server's usage.</summary>
    public bool UsageFromServer { get; init; }
    /// <summary>The first error seen, for the table's note.</summary>
    public string? FirstError { get; init; }

    public static ScenarioSummary Of(string target, TargetKind kind, int context, int concurrency, IReadOnlyList<RequestSample> samples, TimeSpan wall)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var ok = samples.Where(s => s.Outcome == SampleOutcome.Ok).ToList();
        var ttft = ok.Where(s => s.Ttft is not null).Select(s => s.Ttft!.Value.TotalMilliseconds).ToList();
        var latency = ok.Select(s => s.Latency.TotalMilliseconds).ToList();
        var prefill = ok.Select(s => s.PrefillTokensPerSecond).OfType<double>().ToList();
        var decode = ok.Select(s => s.DecodeTokensPerSecond).OfType<double>().ToList();
        return new ScenarioSummary
        {
            Target = target,
            Kind = kind,
            Context = context,
            Concurrency = concurrency,
            Requests = samples.Count,
            Ok = ok.Count,
            Errors = samples.Count(s => s.Outcome == SampleOutcome.Error),
            Timeouts = samples.Count(s => s.Outcome == SampleOutcome.Timeout),
            PromptTokens = ok.Count == 0 ? 0 : ok.Average(s => s.PromptTokens),
            CompletionTokens = ok.Count == 0 ? 0 : ok.Average(s => s.CompletionTokens),
            TtftP50Ms = Percentile(ttft, 50),
            TtftP95Ms = Percentile(ttft, 95),
            TtftMeanMs = ttft.Count == 0 ? null : ttft.Average(),
            LatencyP50Ms = Percentile(latency, 50),
            LatencyP95Ms = Percentile(latency, 95),
            PrefillTokensPerSecond = prefill.Count == 0 ? null : prefill.Average(),
            DecodeTokensPerSecond = decode.Count == 0 ? null : decode.Average(),
            DecodeP50TokensPerSecond = Percentile(decode, 50),
            ThroughputTokensPerSecond = wall.TotalSeconds > 0 ? ok.Sum(s => s.CompletionTokens) / wall.TotalSeconds : 0,
            RequestsPerSecond = wall.TotalSeconds > 0 ? ok.Count / wall.TotalSeconds : 0,
            WallSeconds = wall.TotalSeconds,
            UsageFromServer = ok.Count > 0 && ok.All(s => s.UsageFromServer),
            FirstError = samples.FirstOrDefault(s => s.Outcome != SampleOutcome.Ok)?.Error,
        };
    }

    /// <summary>The <paramref name="p"/>-th percentile with linear interpolation between closest ranks (numpy's default); null for no values.</summary>
    public static double? Percentile(IReadOnlyList<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) return null;
        var sorted = values.Order().ToArray();
        var rank = p / 100.0 * (sorted.Length - 1);
        var lo = (int)Math.Floor(rank);
        var hi = (int)Math.Ceiling(rank);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }
}
