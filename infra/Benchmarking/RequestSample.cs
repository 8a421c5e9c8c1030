namespace Llmctl.Infra.Benchmarking;

/// <summary>How one request ended.</summary>
public enum SampleOutcome
{
    Ok,
    /// <summary>The server answered with an error status, an error event, or a broken stream.</summary>
    Error,
    /// <summary>No byte arrived within the stall timeout, or the whole request ran past its timeout.</summary>
    Timeout,
}

/// <summary>
/// One timed request: when it started (from the run's start), TTFT (until the first content token arrived),
/// end-to-end latency, and the token counts — the server's <c>usage</c> when it sent one, else counted by the client
/// (one streamed content delta is one token; the prompt's own estimate).
/// </summary>
public sealed record RequestSample
{
    public required string Target { get; init; }
    public required int Context { get; init; }
    public required int Concurrency { get; init; }
    public SampleOutcome Outcome { get; init; }
    public string? Error { get; init; }
    public TimeSpan Start { get; init; }
    /// <summary>Time to the first content (or reasoning) token; null when none arrived.</summary>
    public TimeSpan? Ttft { get; init; }
    /// <summary>Until the stream ended (or failed).</summary>
    public TimeSpan Latency { get; init; }
    /// <summary>From the first to the last content token.</summary>
    public TimeSpan? DecodeTime { get; init; }
    public int PromptTokens { get; init; }
    public int CompletionTokens { get; init; }
    /// <summary>The token counts are the server's <c>usage</c>, not the client's count.</summary>
    public bool UsageFromServer { get; init; }
    /// <summary>Content deltas received (what the completion count falls back to).</summary>
    public int StreamedTokens { get; init; }

    /// <summary>Prompt tokens over TTFT: how fast the server read the prompt (queueing included, as a user sees it).</summary>
    public double? PrefillTokensPerSecond => Outcome == SampleOutcome.Ok && Ttft is { TotalSeconds: > 0 } t && PromptTokens > 0 ? PromptTokens / t.TotalSeconds : null;

    /// <summary>Tokens after the first over the time from the first to the last: the decode speed.</summary>
    public double? DecodeTokensPerSecond => Outcome == SampleOutcome.Ok && DecodeTime is { TotalSeconds: > 0 } d && CompletionTokens > 1 ? (CompletionTokens - 1) / d.TotalSeconds : null;
}
