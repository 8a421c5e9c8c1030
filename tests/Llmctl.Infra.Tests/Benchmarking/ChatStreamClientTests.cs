using System.Diagnostics;
using System.Net;
using Llmctl.Infra.Benchmarking;
using Llmctl.Testing;

namespace Llmctl.Infra.Tests.Benchmarking;

/// <summary>
/// The streaming client against <see cref="FakeChatServer"/> with known delays. Timings are checked from below
/// exactly (a request can never be faster than the server's schedule) and from above with room for a loaded machine.
/// </summary>
public class ChatStreamClientTests
{
    /// <summary>What a loaded two-core machine may add to a timing; lower bounds are the server's schedule itself.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(1500);

    private static async Task<RequestSample> SendOne(FakeChatServer server, int promptTokens = 400, RequestTimeouts? timeouts = null, string? key = null, CancellationToken ct = default)
    {
        using var client = new ChatStreamClient(new ChatTarget("fake", TargetKind.Url, server.BaseUrl, "m", key));
        var factory = new PromptFactory(varyPrompts: false, "t");
        var messages = factory.Single(promptTokens);
        return await client.SendAsync(messages, 64, 0.2, factory.Estimate(messages), timeouts ?? RequestTimeouts.Default, promptTokens, 1, Stopwatch.GetTimestamp(),
            ct == default ? TestContext.Current.CancellationToken : ct);
    }

    [Fact]
    public async Task TTFT_prefill_and_decode_speeds_follow_the_servers_delays_and_usage_is_the_servers()
    {
        using var server = new FakeChatServer
        {
            PerRequestDelay = TimeSpan.FromMilliseconds(100),
            PerPromptToken = TimeSpan.FromMilliseconds(0.5),
            PerToken = TimeSpan.FromMilliseconds(25),
            CompletionTokens = 21,
            TokensPerChunk = 2,
        };
        var runner = new BenchRunner(new BenchSettings { Contexts = [800], Requests = 5, Prime = 0 });

        var result = await runner.RunAsync([new ChatTarget("fake", TargetKind.Url, server.BaseUrl, "m")], TestContext.Current.CancellationToken);

        Assert.Equal(5, result.Samples.Count);
        foreach (var sample in result.Samples)
        {
            Assert.Equal(SampleOutcome.Ok, sample.Outcome);
            Assert.True(sample.UsageFromServer);
            Assert.Equal(42, sample.CompletionTokens); // the server's usage (2 per chunk), not the 21 chunks counted
            Assert.Equal(21, sample.StreamedTokens);
            // Exact lower bounds: nothing arrives before the server sends it.
            var prefill = TimeSpan.FromMilliseconds(100 + 0.5 * sample.PromptTokens);
            Assert.InRange(sample.Ttft!.Value, prefill, prefill + Slack);
            Assert.InRange(sample.Latency, prefill + TimeSpan.FromMilliseconds(500), prefill + TimeSpan.FromMilliseconds(500) + Slack);
            Assert.InRange(sample.PrefillTokensPerSecond!.Value, sample.PromptTokens / (prefill + Slack).TotalSeconds, sample.PromptTokens / prefill.TotalSeconds);
        }
        Assert.Equal(server.Bodies.Select(FakeChatServer.CountPromptTokens), result.Samples.Select(x => x.PromptTokens));
        // 20 intervals of at least 25 ms after the first token: 41 tokens over 0.5 s is 82 tokens/s at most. The
        // median of five is checked (a starved client can see one request's first tokens together).
        var s = Assert.Single(result.Scenarios);
        Assert.InRange(s.DecodeP50TokensPerSecond!.Value, 41 / (0.5 + Slack.TotalSeconds), 41 / 0.45);
    }

    [Fact]
    public async Task Without_usage_the_tokens_are_counted_by_the_client()
    {
        using var server = new FakeChatServer { SendUsage = false, CompletionTokens = 12, TokensPerChunk = 3 };

        var sample = await SendOne(server, promptTokens: 1000);

        Assert.Equal(SampleOutcome.Ok, sample.Outcome);
        Assert.False(sample.UsageFromServer);
        Assert.Equal(12, sample.CompletionTokens);
        // The client's own estimate of the prompt: within a tenth of the server's count for the plain-English filler.
        Assert.InRange(sample.PromptTokens, 900, 1100);
        Assert.InRange(FakeChatServer.CountPromptTokens(server.Bodies[0]), 900, 1100);
    }

    [Fact]
    public async Task The_request_is_a_streamed_chat_completion_that_asks_for_usage_and_carries_the_key()
    {
        using var server = new FakeChatServer { RequireKey = "sk-bench-secret" };

        var sample = await SendOne(server, key: "sk-bench-secret");

        Assert.Equal(SampleOutcome.Ok, sample.Outcome);
        var body = server.Bodies.Single();
        Assert.True(body["stream"]!.GetValue<bool>());
        Assert.True(body["stream_options"]!["include_usage"]!.GetValue<bool>());
        Assert.Equal("m", body["model"]!.GetValue<string>());
        Assert.Equal(64, body["max_tokens"]!.GetValue<int>());
        Assert.Equal(["system", "user"], body["messages"]!.AsArray().Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal("Bearer sk-bench-secret", server.Authorizations.Single());
    }

    [Fact]
    public async Task A_server_error_status_is_an_error_sample_with_the_status_and_the_servers_message()
    {
        using var server = new FakeChatServer { FailWith = HttpStatusCode.InternalServerError };

        var sample = await SendOne(server);

        Assert.Equal(SampleOutcome.Error, sample.Outcome);
        Assert.StartsWith("HTTP 500 Internal Server Error: ", sample.Error);
        Assert.Contains("the model crashed", sample.Error);
        Assert.Null(sample.Ttft);
        Assert.Null(sample.DecodeTokensPerSecond);
    }

    [Fact]
    public async Task A_wrong_key_is_an_error_sample_naming_401()
    {
        using var server = new FakeChatServer { RequireKey = "right" };

        var sample = await SendOne(server, key: "wrong");

        Assert.Equal(SampleOutcome.Error, sample.Outcome);
        Assert.StartsWith("HTTP 401", sample.Error);
    }

    [Fact]
    public async Task An_error_event_in_the_stream_is_an_error_sample()
    {
        using var server = new FakeChatServer { ErrorEventAfter = 3 };

        var sample = await SendOne(server);

        Assert.Equal(SampleOutcome.Error, sample.Outcome);
        Assert.Equal("the server sent an error event: out of memory while decoding", sample.Error);
        Assert.Equal(3, sample.StreamedTokens);
    }

    [Fact]
    public async Task A_dropped_connection_is_an_error_sample_after_the_tokens_that_came()
    {
        using var server = new FakeChatServer { DropAfter = 4 };

        var sample = await SendOne(server);

        Assert.Equal(SampleOutcome.Error, sample.Outcome);
        Assert.Equal(4, sample.StreamedTokens);
    }

    [Fact]
    public async Task A_stalled_stream_times_out_on_the_stall_timeout_without_waiting_for_the_total()
    {
        using var server = new FakeChatServer { StallAfter = 3 };
        var started = Stopwatch.GetTimestamp();

        // The stall timer runs from the request too, so it must outlast the server's first bytes on a loaded machine
        // (0.4 s did not: under load the first token came later and nothing had streamed).
        var sample = await SendOne(server, timeouts: new RequestTimeouts(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(2.5)));

        Assert.Equal(SampleOutcome.Timeout, sample.Outcome);
        Assert.Equal("no data for 2.5s (the server stalled)", sample.Error);
        Assert.Equal(3, sample.StreamedTokens);
        Assert.NotNull(sample.Ttft);
        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.FromMilliseconds(2400), TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_request_past_its_total_timeout_is_a_timeout_though_the_server_keeps_sending()
    {
        // 200 tokens 300 ms apart cannot finish in 1.5 s, and no gap reaches the 30 s stall timeout.
        using var server = new FakeChatServer { PerToken = TimeSpan.FromMilliseconds(300), CompletionTokens = 200 };

        var sample = await SendOne(server, timeouts: new RequestTimeouts(TimeSpan.FromMilliseconds(1500), TimeSpan.FromSeconds(30)));

        Assert.Equal(SampleOutcome.Timeout, sample.Outcome);
        Assert.Equal("the request ran past its 1.5s timeout", sample.Error);
        Assert.InRange(sample.StreamedTokens, 0, 6);
    }

    [Fact]
    public async Task Cancelling_the_caller_throws_instead_of_recording_a_sample()
    {
        using var server = new FakeChatServer { StallAfter = 1 };
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var started = Stopwatch.GetTimestamp();
        cancel.CancelAfter(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SendOne(server, timeouts: new RequestTimeouts(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5)), ct: cancel.Token));

        // Timers may fire a tick early; the point is that it ends at the cancellation, long before the 5 min timeouts.
        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task An_unreachable_server_is_an_error_sample_naming_the_failure()
    {
        using var server = new FakeChatServer();
        var url = server.BaseUrl;
        server.Dispose();

        using var client = new ChatStreamClient(new ChatTarget("gone", TargetKind.Url, url, "m"));
        var sample = await client.SendAsync([new ChatMessage("user", "hi")], 8, 0, 1, RequestTimeouts.Default, 1, 1, Stopwatch.GetTimestamp(), TestContext.Current.CancellationToken);

        Assert.Equal(SampleOutcome.Error, sample.Outcome);
        Assert.StartsWith("request failed: ", sample.Error);
    }
}
