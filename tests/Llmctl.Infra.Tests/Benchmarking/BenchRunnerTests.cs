using Llmctl.Infra.Benchmarking;
using Llmctl.Testing;

namespace Llmctl.Infra.Tests.Benchmarking;

/// <summary>Scenarios against <see cref="FakeChatServer"/>: percentiles, real concurrency, sessions, varied prompts, priming.</summary>
public class BenchRunnerTests
{
    private static ChatTarget Target(FakeChatServer server, string name = "fake") => new(name, TargetKind.Url, server.BaseUrl, "m");

    [Fact]
    public void Percentiles_interpolate_between_ranks()
    {
        double[] values = [50, 100, 150, 200, 250, 300, 350, 400, 450, 500];

        Assert.Equal(275, ScenarioSummary.Percentile(values, 50));
        Assert.Equal(477.5, ScenarioSummary.Percentile(values, 95)!.Value, 9);
        Assert.Equal(50, ScenarioSummary.Percentile(values, 0));
        Assert.Equal(500, ScenarioSummary.Percentile(values, 100));
        Assert.Equal(7, ScenarioSummary.Percentile([7], 95));
        Assert.Null(ScenarioSummary.Percentile([], 50));
    }

    [Fact]
    public async Task TTFT_percentiles_of_a_scenario_follow_each_requests_delay()
    {
        // Request n (after one priming request) waits 50 × n ms more: TTFTs of 50, 100, … 500 ms plus the base.
        using var server = new FakeChatServer { ExtraDelay = n => TimeSpan.FromMilliseconds(50 * n), CompletionTokens = 4 };
        var runner = new BenchRunner(new BenchSettings { Contexts = [256], Requests = 10, Prime = 1 });

        var result = await runner.RunAsync([Target(server)], TestContext.Current.CancellationToken);

        var s = Assert.Single(result.Scenarios);
        Assert.Equal((10, 10, 0, 0), (s.Requests, s.Ok, s.Errors, s.Timeouts));
        Assert.Equal(11, server.RequestCount);
        Assert.InRange(s.TtftP50Ms!.Value, 275, 275 + 400);
        Assert.InRange(s.TtftP95Ms!.Value, 477.5, 477.5 + 400);
        Assert.InRange(s.TtftP95Ms!.Value - s.TtftP50Ms!.Value, 202.5 - 150, 202.5 + 150);
        Assert.Equal(10, result.Samples.Count);
        Assert.True(s.UsageFromServer);
    }

    [Fact]
    public async Task Concurrent_requests_are_in_flight_together()
    {
        // Each request is held until four are in flight; a client that sent them one after another would leave the
        // server at one in flight (and wait out the 20 s hold each time).
        using var server = new FakeChatServer { HoldUntilInFlight = 4, CompletionTokens = 4 };
        var runner = new BenchRunner(new BenchSettings { Contexts = [256], Concurrency = [4], Requests = 4, Prime = 0 });

        var result = await runner.RunAsync([Target(server)], TestContext.Current.CancellationToken);

        Assert.Equal(4, server.MaxInFlight);
        var s = Assert.Single(result.Scenarios);
        Assert.Equal((4, 4, 4), (s.Concurrency, s.Requests, s.Ok));
        Assert.InRange(s.WallSeconds, 0, 15);
    }

    [Fact]
    public async Task Each_target_runs_each_context_step_and_concurrency_level_side_by_side()
    {
        using var direct = new FakeChatServer { CompletionTokens = 3 };
        using var gateway = new FakeChatServer { CompletionTokens = 3, PerRequestDelay = TimeSpan.FromMilliseconds(30) };
        var runner = new BenchRunner(new BenchSettings { Contexts = [256, 1024], Concurrency = [1, 2], Requests = 2, Prime = 2 });

        var result = await runner.RunAsync([Target(direct, "lane x"), Target(gateway, "alias fast")], TestContext.Current.CancellationToken);

        Assert.Equal(
            [("lane x", 256, 1), ("alias fast", 256, 1), ("lane x", 256, 2), ("alias fast", 256, 2), ("lane x", 1024, 1), ("alias fast", 1024, 1), ("lane x", 1024, 2), ("alias fast", 1024, 2)],
            result.Scenarios.Select(s => (s.Target, s.Context, s.Concurrency)));
        Assert.All(result.Scenarios, s => Assert.Equal(2, s.Ok));
        Assert.Equal(2 + 8, direct.RequestCount); // two priming requests, then 4 scenarios of 2
        // Priming requests are short and untimed: the samples hold only the timed ones.
        Assert.Equal(16, result.Samples.Count);
        // The prompts grow with the step: the larger step's prompt is about four times the smaller's.
        var small = result.Scenarios.First(s => s.Context == 256).PromptTokens;
        var large = result.Scenarios.First(s => s.Context == 1024).PromptTokens;
        Assert.InRange(large / small, 3.5, 4.5);
        Assert.InRange(large, 1024 * 0.9, 1024 * 1.1);
    }

    [Fact]
    public async Task Without_vary_prompts_equal_steps_send_equal_prompts_and_with_it_each_prompt_differs_from_its_start()
    {
        using var server = new FakeChatServer { CompletionTokens = 2 };
        // The priming request calibrates the prompt size to the server's count; the timed ones after it are equal.
        await new BenchRunner(new BenchSettings { Contexts = [512], Requests = 3, Prime = 1 }).RunAsync([Target(server)], TestContext.Current.CancellationToken);
        var same = server.Bodies.Skip(1).Select(b => b["messages"]![1]!["content"]!.GetValue<string>()).ToList();
        Assert.Equal(3, same.Count);
        Assert.Single(same.Distinct());

        using var varied = new FakeChatServer { CompletionTokens = 2 };
        await new BenchRunner(new BenchSettings { Contexts = [512], Requests = 3, Prime = 0, VaryPrompts = true }).RunAsync([Target(varied)], TestContext.Current.CancellationToken);
        var firstLines = varied.Bodies.Select(b => b["messages"]![1]!["content"]!.GetValue<string>().Split('\n')[0]).ToList();
        Assert.Equal(3, firstLines.Distinct().Count());
        Assert.All(firstLines, l => Assert.StartsWith("Request ", l));
    }

    [Fact]
    public async Task A_continuing_session_sends_the_previous_conversation_as_the_prefix_of_the_next_step()
    {
        using var server = new FakeChatServer { CompletionTokens = 5 };
        var runner = new BenchRunner(new BenchSettings { Contexts = [256, 1024, 2048], Requests = 1, Prime = 0, Session = true });

        var result = await runner.RunAsync([Target(server)], TestContext.Current.CancellationToken);

        Assert.Equal(3, server.Bodies.Count);
        var conversations = server.Bodies.Select(b => b["messages"]!.AsArray().Select(m => (m!["role"]!.GetValue<string>(), m["content"]!.GetValue<string>())).ToList()).ToList();
        Assert.Equal(["system", "user"], conversations[0].Select(m => m.Item1));
        Assert.Equal(["system", "user", "assistant", "user"], conversations[1].Select(m => m.Item1));
        Assert.Equal(["system", "user", "assistant", "user", "assistant", "user"], conversations[2].Select(m => m.Item1));
        // Each request starts with the whole previous one and the server's reply to it.
        Assert.Equal(conversations[0], conversations[1].Take(2));
        Assert.Equal("w0 w1 w2 w3 w4 ", conversations[1][2].Item2);
        Assert.Equal(conversations[1], conversations[2].Take(4));
        Assert.Equal([256, 1024, 2048], result.Scenarios.Select(s => s.Context));
        Assert.InRange(result.Scenarios[2].PromptTokens, 2048 * 0.9, 2048 * 1.1);
    }

    [Fact]
    public async Task A_duration_runs_requests_until_it_is_over()
    {
        using var server = new FakeChatServer { CompletionTokens = 2, PerRequestDelay = TimeSpan.FromMilliseconds(100) };
        var runner = new BenchRunner(new BenchSettings { Contexts = [256], Requests = null, Duration = TimeSpan.FromMilliseconds(700), Prime = 0 });

        var result = await runner.RunAsync([Target(server)], TestContext.Current.CancellationToken);

        var s = Assert.Single(result.Scenarios);
        // At most one request per 100 ms fits, and at least one starts.
        Assert.InRange(s.Requests, 1, 8);
        Assert.InRange(s.WallSeconds, 0.7, 30);
    }

    [Fact]
    public async Task Errors_and_timeouts_are_counted_and_leave_the_timings_to_the_requests_that_succeeded()
    {
        using var server = new FakeChatServer { StallAfter = 1 };
        var runner = new BenchRunner(new BenchSettings
        {
            Contexts = [256], Requests = 2, Prime = 0,
            Timeouts = new RequestTimeouts(TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(300)),
        });

        var result = await runner.RunAsync([Target(server)], TestContext.Current.CancellationToken);

        var s = Assert.Single(result.Scenarios);
        Assert.Equal((2, 0, 0, 2), (s.Requests, s.Ok, s.Errors, s.Timeouts));
        Assert.Null(s.TtftP50Ms);
        Assert.Equal("no data for 0.3s (the server stalled)", s.FirstError);
    }

    [Fact]
    public async Task Cancelling_a_run_stops_it_with_an_OperationCanceledException()
    {
        using var server = new FakeChatServer { StallAfter = 0 };
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(400));
        var runner = new BenchRunner(new BenchSettings { Contexts = [256], Concurrency = [3], Requests = 30, Prime = 0 });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner.RunAsync([Target(server)], cancel.Token));
    }
}
