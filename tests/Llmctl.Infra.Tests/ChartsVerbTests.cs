using Llmctl.Components.Gpu;
using Llmctl.Testing;

namespace Llmctl.Infra.Tests;

/// <summary>
/// `llmctl charts pull` and chart expansion end to end on the sample fleet stack: the real helm, charts packaged from
/// the upstream sources and served by a chart repository on 127.0.0.1, a chart cache in a temp folder.
/// </summary>
public sealed class ChartsVerbTests : IDisposable
{
    private readonly CliHarness _cli = new();
    private readonly string _cache = Directory.CreateTempSubdirectory("llmctl-chart-cache-").FullName;

    private CliHarness Fleet()
    {
        File.Copy(RepoFiles.Path("Pulumi.fleet.yaml"), Path.Combine(_cli.Directory, "Pulumi.fleet.yaml"));
        return _cli.Env("LLMCTL_HELM", RealHelm.Require())
            .Env("LLMCTL_CHART_CACHE", _cache)
            .Env("PULUMI_CONFIG_PASSPHRASE", "llmctl-sample");
    }

    [Fact]
    public async Task Charts_pull_locks_the_fleet_charts_and_preview_diff_shows_what_each_release_creates()
    {
        var repo = UpstreamCharts.SharedRepository();
        var cli = Fleet();

        // LiteLLM's and AMD's metrics-exporter charts are not in the local repository (their sources could not be
        // collected), so pull reports them and exits 1; the others are locked.
        Assert.Equal(1, await cli.RunAsync("charts", "pull", "-s", "fleet", "--mirror", repo.Url, "--update-lock"));
        Assert.Contains($"locked    {AmdGpuChart.Ref.Name} {AmdGpuChart.Ref.Version}", cli.Out, StringComparison.Ordinal);
        Assert.Contains("error: failed    litellm-helm", cli.Err, StringComparison.Ordinal);
        var lockText = File.ReadAllText(Path.Combine(cli.Directory, "charts.lock.yaml"));
        Assert.Contains($"digest: {ProvidersDigest(repo, AmdGpuChart.Ref.Name, AmdGpuChart.Ref.Version)}", lockText, StringComparison.Ordinal);

        Assert.Equal(0, await cli.RunAsync("preview", "-s", "fleet", "--diff"));
        Assert.Contains("Objects the Helm releases create", cli.Out, StringComparison.Ordinal);
        Assert.Contains($"amd-gpu: 5 object(s) from chart amd-gpu {AmdGpuChart.Ref.Version} from {AmdGpuChart.Ref.Repository}, digest verified", cli.Out, StringComparison.Ordinal);
        Assert.Contains("= DaemonSet kube-system/amd-gpu-device-plugin-daemonset", cli.Out, StringComparison.Ordinal);
        Assert.Contains("image: docker.io/rocm/k8s-device-plugin:1.31.0.9", cli.Out, StringComparison.Ordinal);
        Assert.Contains("litellm: not rendered", cli.Out, StringComparison.Ordinal);
        // The chart-made objects were checked: nothing mandatory fails, unpinned chart images are reported.
        Assert.DoesNotContain("[mandatory]", cli.Out, StringComparison.Ordinal);
        Assert.Contains("chart-images-pinned", cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fleet_whose_only_nodes_are_NoSchedule_tainted_is_blocked_because_no_helm_install_Job_can_run()
    {
        var repo = UpstreamCharts.SharedRepository();
        var cli = Fleet();
        await cli.RunAsync("charts", "pull", "-s", "fleet", "--mirror", repo.Url);
        var file = Path.Combine(cli.Directory, "Pulumi.fleet.yaml");
        File.WriteAllText(file, File.ReadAllText(file).Replace("taint: none", "taint: dedicated", StringComparison.Ordinal));

        Assert.Equal(5, await cli.RunAsync("preview", "-s", "fleet"));

        Assert.Contains("workloads-schedulable", cli.Out, StringComparison.Ordinal);
        Assert.Contains("Job helm-install-cert-manager", cli.Out, StringComparison.Ordinal);
        Assert.Contains("node-a has workload.ai/dedicated=gpu:NoSchedule", cli.Out, StringComparison.Ordinal);
        // cert-manager's own pods tolerate the taint that covers every node (its values say so); only the install Job is left.
        Assert.DoesNotContain("Deployment cert-manager/cert-manager (rendered from chart cert-manager", cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chart_in_the_cache_that_differs_from_its_lock_is_not_rendered_and_preview_says_so()
    {
        var repo = UpstreamCharts.SharedRepository();
        var cli = Fleet();
        await cli.RunAsync("charts", "pull", "-s", "fleet", "--mirror", repo.Url, "--update-lock");
        var lockPath = Path.Combine(cli.Directory, "charts.lock.yaml");
        var digest = ProvidersDigest(repo, AmdGpuChart.Ref.Name, AmdGpuChart.Ref.Version);
        File.WriteAllText(lockPath, File.ReadAllText(lockPath).Replace(digest, "sha256:" + new string('3', 64), StringComparison.Ordinal));

        Assert.Equal(0, await cli.RunAsync("preview", "-s", "fleet"));
        Assert.Contains("amd-gpu: not rendered", cli.Out, StringComparison.Ordinal);
        Assert.Contains("not the locked sha256:3333", cli.Out, StringComparison.Ordinal);

        // And pulling again refuses the package rather than trusting it.
        Assert.Equal(1, await cli.RunAsync("charts", "pull", "-s", "fleet", "--mirror", repo.Url));
        Assert.Contains("error: refused   amd-gpu", cli.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_expand_charts_writes_the_objects_a_release_creates_instead_of_its_HelmChart()
    {
        var repo = UpstreamCharts.SharedRepository();
        var cli = Fleet();
        await cli.RunAsync("charts", "pull", "-s", "fleet", "--mirror", repo.Url, "--update-lock");

        Assert.Equal(0, await cli.RunAsync("render", "-s", "fleet", "--out", "out", "--expand-charts"));

        var outDir = Path.Combine(cli.Directory, "out");
        Assert.True(File.Exists(Path.Combine(outDir, "kube-system", "daemonset-amd-gpu-device-plugin-daemonset.yaml")));
        Assert.False(File.Exists(Path.Combine(outDir, "kube-system", "helmchart-amd-gpu.yaml")));
        // LiteLLM's chart cannot be rendered here: its HelmChart stays, with a warning.
        Assert.True(File.Exists(Path.Combine(outDir, "kube-system", "helmchart-litellm.yaml")));
        Assert.Contains("kept as a HelmChart because its chart could not be rendered", cli.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_helm_preview_says_what_it_could_not_check()
    {
        var cli = _cli.Env("LLMCTL_HELM", Path.Combine(_cache, "no-helm-here"));

        Assert.Equal(0, await cli.RunAsync("preview", "-s", "homelab"));

        Assert.Contains("warning: helm was not found (set LLMCTL_HELM or put helm on PATH)", cli.Err, StringComparison.Ordinal);
        Assert.Contains("images, node selectors, tolerations and ServiceMonitor targets were not checked", cli.Err, StringComparison.Ordinal);
    }

    private static string ProvidersDigest(LocalChartRepository repo, string name, string version) =>
        Providers.Helm.ChartCache.Digest(repo.PackagePath(name, version));

    public void Dispose()
    {
        _cli.Dispose();
        Directory.Delete(_cache, recursive: true);
    }
}

/// <summary>The sample <c>charts.lock.yaml</c> beside <c>models.lock.yaml</c>.</summary>
public sealed class SampleChartLockTests
{
    [Fact]
    public void The_sample_lock_pins_exactly_the_charts_the_components_install_and_says_where_each_digest_comes_from()
    {
        var lockFile = Providers.Helm.ChartLockFile.Load(RepoFiles.Path(Providers.Helm.ChartLockFile.DefaultFileName));
        var charts = UpstreamCharts.All.Select(c => c.Chart)
            .Append(Components.Gateway.LiteLlmGateway.PinnedChart)
            .Append(Components.Observability.AmdMetricsExporter.PinnedChart)
            .ToList();

        Assert.Equal(charts.Count, lockFile.Charts.Count);
        foreach (var chart in charts)
        {
            var entry = lockFile.Find(chart.Name, chart.Repository, chart.Version);
            Assert.True(entry is not null, $"{chart} is not in {Providers.Helm.ChartLockFile.DefaultFileName}");
            // Every entry says where its digest comes from, or why it has none, rather than carrying a guess.
            Assert.False(string.IsNullOrWhiteSpace(entry!.Note));
            if (entry.Digest is { } digest) Assert.Null(Components.Helm.ChartRef.DigestProblem(digest));
        }
        // Only the two packages public sources agree on are locked (their sources are in the notes); the rest wait for
        // `llmctl charts pull --update-lock` where the network is.
        Assert.Equal(["cert-manager", "node-feature-discovery"], lockFile.Charts.Where(c => c.Digest is not null).Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.Equal("sha256:c27101f3f3e2349fb4a9e704316105bf7b52ad73b8c8257d3498ef7f2f6a4adc", lockFile.Find("cert-manager", "https://charts.jetstack.io", "v1.21.1")!.Digest);
    }
}

/// <summary>docs/chart-images.md is the table of <see cref="Components.Helm.ChartImages"/>, kept true.</summary>
public sealed class ChartImagesDocTests
{
    [Fact]
    public void The_doc_lists_every_chart_image_with_its_digest_or_under_not_pinned()
    {
        var doc = File.ReadAllText(RepoFiles.Path("docs", "chart-images.md"));
        var notPinned = doc.IndexOf("## Not pinned", StringComparison.Ordinal);
        Assert.True(notPinned > 0, "docs/chart-images.md has no 'Not pinned' section");
        foreach (var image in Components.Helm.ChartImages.All)
        {
            var row = doc.Split('\n').SingleOrDefault(l => l.Contains($"`{image.Unpinned}`", StringComparison.Ordinal));
            Assert.True(row is not null, $"{image.Unpinned} is not in docs/chart-images.md (once)");
            if (image.Pinned)
            {
                Assert.Contains($"`{image.Digest}`", row, StringComparison.Ordinal);
                Assert.True(doc.IndexOf(row, StringComparison.Ordinal) < notPinned, $"{image.Unpinned} is pinned but listed as not pinned");
            }
            else
            {
                Assert.True(doc.IndexOf(row, StringComparison.Ordinal) > notPinned, $"{image.Unpinned} has no digest but is listed as pinned");
            }
        }
    }
}
