using System.Diagnostics;
using System.Globalization;
using Llmctl.Infra.Benchmarking;
using Llmctl.Testing;

/// <summary>
/// How many requests per second <c>llmctl bench</c>'s client drives against the in-test streaming server with no
/// delays at all (every token at once): the ceiling of what the client can measure on this machine, so its numbers
/// are known not to be the bottleneck. The server runs in the same process, so the figure is the pair's.
/// </summary>
internal static class ChatOverhead
{
    public static async Task<int> RunAsync(int requests, string concurrency, int tokens)
    {
        using var server = new FakeChatServer { CompletionTokens = tokens };
        var target = new ChatTarget("fake", TargetKind.Url, server.BaseUrl, "m");
        // Warm up (JIT, connections) before timing.
        await new BenchRunner(new BenchSettings { Contexts = [256], Concurrency = [4], Requests = 200, Prime = 0 }).RunAsync([target], CancellationToken.None);
        Console.WriteLine($"| concurrency | requests | wall s | requests/s | streamed tokens/s | client TTFT p50 ms | CPU s |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var level in concurrency.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)))
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            var result = await new BenchRunner(new BenchSettings { Contexts = [256], Concurrency = [level], Requests = requests, Prime = 0, MaxTokens = tokens })
                .RunAsync([target], CancellationToken.None);
            sw.Stop();
            var s = result.Scenarios.Single();
            var used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {level} | {s.Ok}/{s.Requests} | {sw.Elapsed.TotalSeconds:F2} | {s.Ok / sw.Elapsed.TotalSeconds:F0} | {s.Ok * (double)tokens / sw.Elapsed.TotalSeconds:F0} | {s.TtftP50Ms:F2} | {used:F1} |"));
        }
        return 0;
    }
}
