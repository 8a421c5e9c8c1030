using Llmctl.Components.Helm;
using Llmctl.Testing;

namespace Llmctl.Infra.Tests;

/// <summary>
/// The policies on the repository's real homelab and fleet plans with every renderable chart expanded by the real helm
/// (charts packaged from ../shared/upstream/charts-src, served on 127.0.0.1, pulled into a temp cache): clean as shipped,
/// then one violation at a time that only the chart-rendered objects reveal.
/// </summary>
public sealed class RenderedChildrenPolicyTests : IDisposable
{
    private readonly CliHarness _cli = new();
    private readonly string _cache = Directory.CreateTempSubdirectory("llmctl-chart-cache-").FullName;

    /// <summary>The stack's file (edited once when <paramref name="edit"/> is given) with its charts pulled into the cache.</summary>
    private async Task<CliHarness> StackAsync(string stack, Func<string, string>? edit = null)
    {
        var repo = UpstreamCharts.SharedRepository();
        var file = Path.Combine(_cli.Directory, $"Pulumi.{stack}.yaml");
        var text = File.ReadAllText(RepoFiles.Path($"Pulumi.{stack}.yaml"));
        File.WriteAllText(file, edit is null ? text : edit(text));
        var cli = _cli.Env("LLMCTL_HELM", RealHelm.Require()).Env("LLMCTL_CHART_CACHE", _cache).Env("PULUMI_CONFIG_PASSPHRASE", "llmctl-sample");
        // LiteLLM's and AMD's metrics-exporter charts are not in the local repository (their sources were not collected): exit 1.
        Assert.InRange(await cli.RunAsync("charts", "pull", "-s", stack, "--mirror", repo.Url), 0, 1);
        return cli;
    }

    /// <summary>The images chart-images-pinned names: each knowingly unpinned image, once per release.</summary>
    private static List<string> NamedUnpinned(string output) =>
        [.. System.Text.RegularExpressions.Regex.Matches(output, @"runs '([^']+)' without a digest").Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal)];

    [Theory]
    [InlineData("homelab")]
    [InlineData("fleet")]
    public async Task The_shipped_stacks_pass_with_every_chart_rendered_and_name_each_image_left_unpinned(string stack)
    {
        var cli = await StackAsync(stack);

        Assert.Equal(0, await cli.RunAsync("preview", "-s", stack, "--diff"));

        Assert.Contains("Objects the Helm releases create", cli.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("[mandatory]", cli.Out, StringComparison.Ordinal);
        // pinned-digests ran over the rendered pods and every image not named below is pinned by a verified digest.
        Assert.DoesNotContain("pinned-digests (", cli.Out, StringComparison.Ordinal);
        var expected = stack == "homelab"
            ? new[]
            {
                ChartImages.NodeFeatureDiscovery.Unpinned, ChartImages.GrafanaSidecar.Unpinned, ChartImages.AdmissionWebhookCertgen.Unpinned,
                "ghcr.io/berriai/litellm-database:main-v1.80.12",
            }
            : new[]
            {
                ChartImages.AmdDevicePlugin.Unpinned, ChartImages.AmdNodeLabeller.Unpinned, ChartImages.CertManagerAcmeSolver.Unpinned,
                ChartImages.IonosWebhook.Unpinned, ChartImages.GrafanaSidecar.Unpinned, ChartImages.AdmissionWebhookCertgen.Unpinned,
                "ghcr.io/berriai/litellm-database:main-v1.82.3-stable",
            };
        Assert.Equal(expected.Order(StringComparer.Ordinal), NamedUnpinned(cli.Out));
        foreach (var pinned in ChartImages.All.Where(i => i.Pinned && cli.Out.Contains(i.Repository + ":", StringComparison.Ordinal)))
        {
            Assert.DoesNotContain($"image: {pinned.Unpinned}\n", cli.Out.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
        if (stack == "homelab")
        {
            // The digests the components write reach the rendered pods.
            Assert.Contains($"image: {ChartImages.NvidiaDevicePlugin.Ref}", cli.Out, StringComparison.Ordinal);
            Assert.Contains($"image: {ChartImages.DcgmExporter.Ref}", cli.Out, StringComparison.Ordinal);
            Assert.Contains($"image: {ChartImages.KubeStateMetrics.Ref}", cli.Out, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains($"image: {ChartImages.CertManagerController.Repository}@{ChartImages.CertManagerController.Digest}", cli.Out, StringComparison.Ordinal);
            // Test hooks are not rendered: helm-controller never runs `helm test`.
            Assert.DoesNotContain("grafana-test", cli.Out, StringComparison.Ordinal);
        }
        // LiteLLM (and on the fleet AMD's metrics exporter) cannot be rendered here, and preview says so.
        Assert.Contains("litellm: not rendered", cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unpinned_image_a_stack_gives_a_chart_is_blocked_by_pinned_digests_on_the_rendered_pods()
    {
        var cli = await StackAsync("homelab", text => Once(text, "    nfd:\n      enabled: true\n",
            "    nfd:\n      enabled: true\n      image: registry.k8s.io/nfd/node-feature-discovery:v0.19.0\n"));

        Assert.Equal(5, await cli.RunAsync("preview", "-s", "homelab"));

        Assert.Contains("[mandatory]  llmctl-platform v0.2.0  pinned-digests (node-feature-discovery", cli.Out, StringComparison.Ordinal);
        Assert.Contains("DaemonSet 'node-feature-discovery-worker' (rendered for release 'node-feature-discovery') container 'worker' runs "
            + "'registry.k8s.io/nfd/node-feature-discovery:v0.19.0', which is not pinned by digest", cli.Out, StringComparison.Ordinal);
        // The stack chose the image, so it is no longer one llmctl names as knowingly unpinned.
        Assert.DoesNotContain("runs 'registry.k8s.io/nfd/node-feature-discovery:v0.19.0' without a digest", cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_budget_counts_the_chart_made_pods_that_land_on_the_GPU_node()
    {
        // The active lane alone asks for 56100Mi of gpu-worker's 57457452Ki (a warning); the DaemonSets the charts
        // render onto the node (DCGM exporter, NFD worker) push it over.
        static string Edit(string text)
        {
            var lane = text.IndexOf("- name: qwen36-35b-gguf-fast", StringComparison.Ordinal);
            var at = text.IndexOf("memory: 32Gi", lane, StringComparison.Ordinal);
            return string.Concat(text.AsSpan(0, at), "memory: 56100Mi", text.AsSpan(at + "memory: 32Gi".Length));
        }
        var cli = await StackAsync("homelab", Edit);

        Assert.Equal(5, await cli.RunAsync("preview", "-s", "homelab"));

        Assert.Contains("[mandatory]  llmctl-platform v0.2.0  node-budget", cli.Out, StringComparison.Ordinal);
        Assert.Contains("node 'gpu-worker': memory requests 55Gi of 54.8Gi allocatable", cli.Out, StringComparison.Ordinal);
        Assert.Contains("DaemonSet 'dcgm-exporter' (rendered for release 'dcgm-exporter')", cli.Out, StringComparison.Ordinal);

        // Without the charts rendered the same stack is only inside the margin: the chart pods made the difference.
        Assert.Equal(0, await cli.Env("LLMCTL_HELM", Path.Combine(_cache, "no-helm")).RunAsync("preview", "-s", "homelab"));
        Assert.Contains("[advisory]  llmctl-platform v0.2.0  node-budget", cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Where_every_node_carries_the_GPU_taint_the_system_releases_tolerate_it_and_only_the_helm_install_Jobs_are_left()
    {
        var cli = await StackAsync("fleet", text => text.Replace("taint: none", "taint: dedicated", StringComparison.Ordinal));

        Assert.Equal(5, await cli.RunAsync("preview", "-s", "fleet", "--diff"));

        var schedulable = System.Text.RegularExpressions.Regex.Matches(cli.Out, @"workloads-schedulable \([^\n]*\n\s+([^\n]+)")
            .Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(schedulable);
        // cert-manager, its webhook, kube-prometheus-stack (operator, Grafana, kube-state-metrics, admission Jobs) and the
        // Ollama lanes all render with the toleration; what no chart value reaches is k3s's own install Job.
        Assert.All(schedulable, m => Assert.StartsWith("Job helm-install-", m, StringComparison.Ordinal));
        Assert.Contains(schedulable, m => m.StartsWith("Job helm-install-cert-manager ", StringComparison.Ordinal));
        Assert.DoesNotContain("(rendered from chart cert-manager", cli.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("(rendered from chart kube-prometheus-stack", cli.Out, StringComparison.Ordinal);
        foreach (var deployment in (string[])["cert-manager/cert-manager", "cert-manager/cert-manager-webhook", "cert-manager/cert-manager-cainjector",
                     "cert-manager/cert-manager-webhook-ionos", "monitoring/kube-prometheus-stack-operator", "monitoring/kube-prometheus-stack-grafana",
                     "monitoring/kube-prometheus-stack-kube-state-metrics"])
        {
            Assert.Contains("workload.ai/dedicated=gpu:NoSchedule", ObjectBlock(cli.Out, $"= Deployment {deployment}"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Where_a_node_is_left_untainted_the_system_releases_keep_off_the_GPU_nodes()
    {
        var cli = await StackAsync("fleet");

        Assert.Equal(0, await cli.RunAsync("preview", "-s", "fleet", "--diff"));

        Assert.DoesNotContain("workload.ai/dedicated", ObjectBlock(cli.Out, "= Deployment cert-manager/cert-manager"), StringComparison.Ordinal);
    }

    /// <summary>The lines --diff prints for one rendered object, from its "= Kind ns/name" line to the next object.</summary>
    private static string ObjectBlock(string output, string header)
    {
        var lines = output.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        var at = Array.FindIndex(lines, l => l.Trim() == header.Trim());
        Assert.True(at >= 0, $"'{header}' is not in the preview");
        return string.Join('\n', lines.Skip(at).TakeWhile((l, i) => i == 0 || l.StartsWith("            ", StringComparison.Ordinal)));
    }

    /// <summary>Replaces exactly one occurrence, so an injected violation never silently misses.</summary>
    private static string Once(string text, string from, string to)
    {
        var at = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{from}' is not in the stack file");
        Assert.True(text.IndexOf(from, at + 1, StringComparison.Ordinal) < 0, $"'{from}' is in the stack file more than once");
        return string.Concat(text.AsSpan(0, at), to, text.AsSpan(at + from.Length));
    }

    public void Dispose()
    {
        _cli.Dispose();
        Directory.Delete(_cache, recursive: true);
    }
}
