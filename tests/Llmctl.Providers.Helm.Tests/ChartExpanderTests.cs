using System.Text.Json.Nodes;
using Llmctl.Components.Gpu;
using Llmctl.Engine.Model;
using Llmctl.Testing;

namespace Llmctl.Providers.Helm.Tests;

/// <summary>Expansion at preview: each HelmChart rendered by the real helm from the verified cache into read-only children.</summary>
public sealed class ChartExpanderTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("llmctl-expand-test-");
    private static readonly Components.Helm.ChartRef Nvidia = NvidiaDevicePluginChart.Ref;

    private static StackContext NvidiaStack() =>
        StackContext.Run("p", "s", ctx => new NvidiaDevicePlugin("nvidia-device-plugin", new NvidiaDevicePluginArgs()));

    private async Task<(ChartCache Cache, string Digest)> CachedAsync()
    {
        var repo = UpstreamCharts.SharedRepository();
        var cache = new ChartCache(Path.Combine(_dir.FullName, "cache"));
        using var http = new HttpClient();
        var result = await new ChartPuller(new ChartRepositoryClient(http, null), cache, new ChartLockFile([]))
            .PullAsync(Nvidia.Name, Nvidia.Repository, Nvidia.Version, false, repo.Url, TestContext.Current.CancellationToken);
        Assert.Equal(PullOutcome.Unlocked, result.Outcome);
        return (cache, result.Digest!);
    }

    private static HelmBinary Helm() => HelmBinary.Find(name => name == "LLMCTL_HELM" ? RealHelm.Require() : null)!;

    [Fact]
    public async Task A_release_is_rendered_with_its_values_into_its_target_namespace_and_verified_against_the_lock()
    {
        var (cache, digest) = await CachedAsync();
        var stack = NvidiaStack();
        var lockFile = new ChartLockFile([new ChartLock(Nvidia.Name, Nvidia.Repository, Nvidia.Version, digest)]);

        var report = await new ChartExpander(Helm(), cache, lockFile) { KubeVersion = "v1.35.5" }.ExpandAsync(stack, TestContext.Current.CancellationToken);

        Assert.Equal(1, report.Rendered);
        Assert.Equal(0, report.Unverified);
        var chart = stack.Resources.Single(r => r.Type == ChartExpander.HelmChartType);
        var rendered = chart.Annotations.OfType<RenderedChildren>().Single();
        Assert.True(rendered.Verified);
        var daemonSet = rendered.Objects.Single(o => o["kind"]!.GetValue<string>() == "DaemonSet" && o["metadata"]!["name"]!.GetValue<string>() == "nvidia-device-plugin");
        Assert.Equal(NvidiaDevicePluginChart.Namespace, daemonSet["metadata"]!["namespace"]!.GetValue<string>());
        var pod = daemonSet["spec"]!["template"]!["spec"]!;
        // Our values reached the chart: the runtime class and the dedicated-GPU toleration.
        Assert.Equal(NvidiaRuntime.DefaultName, pod["runtimeClassName"]!.GetValue<string>());
        Assert.Contains(pod["tolerations"]!.AsArray(), t => t!["key"]!.GetValue<string>() == GpuLabels.DedicatedTaintKey);
        Assert.StartsWith(NvidiaDevicePluginChart.ImageRepository + ":", pod["containers"]![0]!["image"]!.GetValue<string>(), StringComparison.Ordinal);
        // Nothing was added to the stack: the children are read-only and never planned.
        Assert.DoesNotContain(stack.Resources, r => r.Type.Contains("DaemonSet", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cached_package_whose_digest_differs_from_the_lock_is_refused()
    {
        var (cache, _) = await CachedAsync();
        var stack = NvidiaStack();
        var lockFile = new ChartLockFile([new ChartLock(Nvidia.Name, Nvidia.Repository, Nvidia.Version, "sha256:" + new string('2', 64))]);

        var report = await new ChartExpander(Helm(), cache, lockFile).ExpandAsync(stack, TestContext.Current.CancellationToken);

        Assert.Equal(0, report.Rendered);
        var missing = stack.Resources.Single(r => r.Type == ChartExpander.HelmChartType).Annotations.OfType<RenderedChildrenMissing>().Single();
        Assert.Contains("not the locked sha256:2222", missing.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unlocked_chart_is_rendered_but_marked_unverified()
    {
        var (cache, _) = await CachedAsync();
        var stack = NvidiaStack();

        var report = await new ChartExpander(Helm(), cache, new ChartLockFile([])).ExpandAsync(stack, TestContext.Current.CancellationToken);

        Assert.Equal(1, report.Unverified);
        Assert.False(stack.Resources.Single(r => r.Type == ChartExpander.HelmChartType).Annotations.OfType<RenderedChildren>().Single().Verified);
    }

    [Fact]
    public async Task Without_helm_every_release_says_what_was_not_checked()
    {
        var stack = NvidiaStack();

        var report = await new ChartExpander(null, new ChartCache(_dir.FullName), null).ExpandAsync(stack, TestContext.Current.CancellationToken);

        Assert.True(report.HelmMissing);
        var missing = stack.Resources.Single(r => r.Type == ChartExpander.HelmChartType).Annotations.OfType<RenderedChildrenMissing>().Single();
        Assert.Equal(HelmBinary.MissingMessage, missing.Reason);
        Assert.Contains("images, node selectors, tolerations and ServiceMonitor targets were not checked", missing.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Helm_template_is_called_as_helm_controller_installs_release_name_namespace_crds_values_and_kube_version()
    {
        var args = HelmTemplate.Arguments(new HelmTemplateRequest
        {
            ReleaseName = "dcgm-exporter",
            Namespace = "monitoring",
            ChartPath = "/cache/dcgm-exporter-4.8.2.tgz",
            KubeVersion = "v1.35.5",
            ApiVersions = ["monitoring.coreos.com/v1"],
        }, ["/tmp/values-00.yaml"]);

        Assert.Equal(
            ["template", "dcgm-exporter", "/cache/dcgm-exporter-4.8.2.tgz", "--namespace", "monitoring", "--include-crds", "--skip-tests",
             "--values", "/tmp/values-00.yaml", "--kube-version", "v1.35.5", "--api-versions", "monitoring.coreos.com/v1"],
            args);
    }

    [Fact]
    public void Helm_is_found_through_LLMCTL_HELM_first_then_PATH()
    {
        var fake = Path.Combine(_dir.FullName, "helm");
        File.WriteAllText(fake, "");
        Assert.Equal(fake, HelmBinary.Find(n => n == "LLMCTL_HELM" ? fake : null)!.Path);
        Assert.Equal(fake, HelmBinary.Find(n => n == "PATH" ? _dir.FullName : null)!.Path);
        Assert.Null(HelmBinary.Find(n => n == "PATH" ? Path.Combine(_dir.FullName, "none") : null));
        Assert.Null(HelmBinary.Find(n => n == "LLMCTL_HELM" ? Path.Combine(_dir.FullName, "missing") : null));
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
