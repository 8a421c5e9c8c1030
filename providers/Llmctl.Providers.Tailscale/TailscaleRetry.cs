using System.Net;
using Polly;
using Polly.Retry;

namespace Llmctl.Providers.Tailscale;

/// <summary>
/// Retries for the Tailscale API: a 429 or a 5xx, or a connection that failed, is tried again with exponential
/// backoff; a <c>Retry-After</c> from the server wins over the backoff (capped at
/// <see cref="TailscaleProviderOptions.MaxRetryDelay"/>).
/// </summary>
internal static class TailscaleRetry
{
    public static ResiliencePipeline<HttpResponseMessage> Pipeline(TailscaleProviderOptions options)
    {
        if (options.MaxRetries <= 0) return ResiliencePipeline<HttpResponseMessage>.Empty;
        return new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .HandleResult(IsTransient),
                DelayGenerator = args => new ValueTask<TimeSpan?>(
                    Delay(args.Outcome.Result, args.AttemptNumber, options.RetryBaseDelay, options.MaxRetryDelay, DateTimeOffset.UtcNow)),
            })
            .Build();
    }

    public static bool IsTransient(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;

    /// <summary>
    /// The wait before retry number <paramref name="attempt"/> (0-based): the server's <c>Retry-After</c> (seconds or
    /// a date) when it sent one, else <c>baseDelay · 2^attempt</c>; never more than <paramref name="max"/>.
    /// </summary>
    public static TimeSpan Delay(HttpResponseMessage? response, int attempt, TimeSpan baseDelay, TimeSpan max, DateTimeOffset now)
    {
        TimeSpan? fromServer = response?.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - now,
            _ => null,
        };
        var delay = fromServer ?? TimeSpan.FromTicks(baseDelay.Ticks * (1L << Math.Min(attempt, 16)));
        if (delay < TimeSpan.Zero) delay = TimeSpan.Zero;
        return delay > max ? max : delay;
    }
}
