using Llmctl.Components.Gpu;
using Llmctl.Testing;

namespace Llmctl.Providers.Helm.Tests;

/// <summary>`llmctl charts pull` against a real chart repository on 127.0.0.1 serving packages made by the real helm.</summary>
public sealed class ChartPullTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("llmctl-pull-test-");
    private static readonly Components.Helm.ChartRef Nvidia = NvidiaDevicePluginChart.Ref;

    private (ChartPuller Puller, ChartCache Cache, ChartLockFile Lock, HttpClient Http) Setup(LocalChartRepository repo, string? lockedDigest, bool withEntry = true)
    {
        var lockFile = new ChartLockFile(withEntry ? [new ChartLock(Nvidia.Name, Nvidia.Repository, Nvidia.Version, lockedDigest)] : []);
        var cache = new ChartCache(Path.Combine(_dir.FullName, "cache"));
        var http = new HttpClient();
        return (new ChartPuller(new ChartRepositoryClient(http, null), cache, lockFile), cache, lockFile, http);
    }

    [Fact]
    public async Task A_chart_whose_digest_equals_the_lock_is_cached_and_verified()
    {
        var repo = UpstreamCharts.SharedRepository();
        var published = ChartCache.Digest(repo.PackagePath(Nvidia.Name, Nvidia.Version));
        var (puller, cache, _, http) = Setup(repo, published);
        using var _ = http;

        var result = await puller.PullAsync(Nvidia.Name, Nvidia.Repository, Nvidia.Version, updateLock: false, mirror: repo.Url, TestContext.Current.CancellationToken);

        Assert.Equal(PullOutcome.Verified, result.Outcome);
        var cached = cache.PathFor(Nvidia.Name, Nvidia.Repository, Nvidia.Version);
        Assert.Equal(published, ChartCache.Digest(cached));
        Assert.StartsWith(cache.Root, cached, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chart_whose_digest_differs_from_the_lock_is_refused_and_not_cached()
    {
        var repo = UpstreamCharts.SharedRepository();
        var other = "sha256:" + new string('1', 64);
        var (puller, cache, _, http) = Setup(repo, other);
        using var _ = http;

        var result = await puller.PullAsync(Nvidia.Name, Nvidia.Repository, Nvidia.Version, false, repo.Url, TestContext.Current.CancellationToken);

        Assert.Equal(PullOutcome.Refused, result.Outcome);
        Assert.Contains("differs from the lock", result.Message, StringComparison.Ordinal);
        Assert.Contains(other, result.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(cache.PathFor(Nvidia.Name, Nvidia.Repository, Nvidia.Version)));
    }

    [Fact]
    public async Task An_unlocked_chart_is_cached_but_reported_and_update_lock_records_its_digest()
    {
        var repo = UpstreamCharts.SharedRepository();
        var published = ChartCache.Digest(repo.PackagePath(Nvidia.Name, Nvidia.Version));
        var (puller, _, lockFile, http) = Setup(repo, lockedDigest: null);
        using var _ = http;

        var unlocked = await puller.PullAsync(Nvidia.Name, Nvidia.Repository, Nvidia.Version, false, repo.Url, TestContext.Current.CancellationToken);
        Assert.Equal(PullOutcome.Unlocked, unlocked.Outcome);
        Assert.Contains("UNLOCKED", unlocked.Message, StringComparison.Ordinal);
        Assert.Null(lockFile.Find(Nvidia.Name, Nvidia.Repository, Nvidia.Version)!.Digest);

        var locked = await puller.PullAsync(Nvidia.Name, Nvidia.Repository, Nvidia.Version, true, repo.Url, TestContext.Current.CancellationToken);
        Assert.Equal(PullOutcome.Locked, locked.Outcome);
        Assert.Equal(published, lockFile.Find(Nvidia.Name, Nvidia.Repository, Nvidia.Version)!.Digest);

        var path = Path.Combine(_dir.FullName, ChartLockFile.DefaultFileName);
        lockFile.Save(path);
        var reread = ChartLockFile.Load(path).Find(Nvidia.Name, Nvidia.Repository + "/", Nvidia.Version);
        Assert.Equal(published, reread!.Digest);
    }

    [Fact]
    public async Task A_chart_the_repository_does_not_have_fails_with_the_index_named()
    {
        var repo = UpstreamCharts.SharedRepository();
        var (puller, _, _, http) = Setup(repo, null);
        using var _ = http;

        var result = await puller.PullAsync(Nvidia.Name, Nvidia.Repository, "9.9.9", false, repo.Url, TestContext.Current.CancellationToken);

        Assert.Equal(PullOutcome.Failed, result.Outcome);
        Assert.Contains($"{repo.Url}index.yaml has no chart '{Nvidia.Name}' at version 9.9.9", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lock_entry_with_a_malformed_digest_is_refused_when_read()
    {
        var path = Path.Combine(_dir.FullName, ChartLockFile.DefaultFileName);
        File.WriteAllText(path, "charts:\n  - name: amd-gpu\n    repository: https://rocm.github.io/k8s-device-plugin/\n    version: \"0.21.0\"\n    digest: sha256:abc\n");

        var ex = Assert.Throws<FormatException>(() => ChartLockFile.Load(path));
        Assert.Contains("charts[0].digest 'sha256:abc'", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
