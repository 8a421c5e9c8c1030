using Llmctl.Testing.Kubernetes;

namespace Llmctl.Providers.Kubernetes.Tests;

public class LivePreviewBenchmarkTests
{
    [Fact]
    public async Task A_live_preview_of_unchanged_resources_makes_two_requests_each_in_parallel_and_finds_no_changes()
    {
        var result = await LivePreviewBenchmark.RunAsync(count: 32, latency: TimeSpan.FromMilliseconds(20), concurrency: 16);
        Assert.False(result.HasChanges);
        Assert.Equal(64, result.Requests);
        // Serially this would be at least 64 × 20 ms; bounded parallelism makes it a fraction of that.
        Assert.True(result.Elapsed < TimeSpan.FromMilliseconds(64 * 20), $"took {result.Elapsed}");
    }
}
