using Llmctl.Engine.Providers;
using Llmctl.Infra.Cli;
using Llmctl.Providers.Kubernetes;
using Llmctl.Testing.Kubernetes;

namespace Llmctl.Infra.Tests;

/// <summary>
/// `llmctl switch` against the fake Kubernetes API server: the homelab is brought up, then lanes are switched the way
/// seed 002's helper does it — preflight first, nothing scaled when it blocks, the stack file edited only on success.
/// </summary>
public sealed class SwitchTests : IAsyncLifetime
{
    private const string Deep = "qwen36-27b-deep";
    private const string Fast = "qwen36-35b-gguf-fast";
    private FakeKubernetesServer _server = null!;
    private CliHarness _cli = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await FakeKubernetesServer.StartAsync();
        _server.AutoReadyAll(TimeSpan.FromMilliseconds(10));
        _server.AddNode("gpu-worker", new Dictionary<string, string> { ["kubernetes.io/hostname"] = "gpu-worker" });
        var options = new KubernetesProviderOptions
        {
            Kubeconfig = _server.Kubeconfig,
            PollInterval = TimeSpan.FromMilliseconds(10),
            RequestTimeout = TimeSpan.FromSeconds(10),
            Retry = new RetrySettings { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) },
        };
        _cli = new CliHarness { ProviderFactory = (_, _) => new ProviderRegistry().Register(KubernetesProvider.Package, new KubernetesProvider(options)) };
        // The fake serves the built-in kinds and HelmChart; the Prometheus operator's kinds arrive with its chart, so the
        // switch tests run the homelab without its observability section.
        var text = File.ReadAllText(_cli.StackFile);
        var at = text.IndexOf("  # kube-prometheus-stack with the DCGM exporter", StringComparison.Ordinal);
        Assert.True(at > 0);
        File.WriteAllText(_cli.StackFile, text[..at]);
        Assert.Equal(ExitCodes.Ok, await _cli.RunAsync("up", "--yes", "-s", "homelab"));
    }

    public async ValueTask DisposeAsync()
    {
        _cli.Dispose();
        await _server.DisposeAsync();
    }

    private int Replicas(string lane) => (int)_server.Get("Deployment", "llm", lane)!["spec"]!["replicas"]!.GetValue<long>();

    private int Writes() => _server.Requests.Count(r => r.Method is "PATCH" or "PUT" or "POST" or "DELETE");

    [Fact]
    public async Task A_blocked_preflight_scales_nothing_and_leaves_the_stack_file_alone_even_with_force()
    {
        var (file, writes) = (File.ReadAllText(_cli.StackFile), Writes());

        Assert.Equal(20, await _cli.RunAsync("switch", "qwen36-nvfp4-experiment", "--force", "-s", "homelab"));

        Assert.Contains("preflight blocks 'qwen36-nvfp4-experiment'; nothing was scaled", _cli.Err);
        Assert.Equal(writes, Writes());
        Assert.Equal((1, 0), (Replicas(Fast), Replicas("qwen36-nvfp4-experiment")));
        Assert.Equal(file, File.ReadAllText(_cli.StackFile));
    }

    [Fact]
    public async Task A_warning_needs_force_and_without_it_nothing_changes()
    {
        var (file, writes) = (File.ReadAllText(_cli.StackFile), Writes());

        Assert.Equal(10, await _cli.RunAsync("switch", Deep, "-s", "homelab"));

        Assert.Contains("pass --force to switch anyway", _cli.Err);
        Assert.Equal(writes, Writes());
        Assert.Equal(file, File.ReadAllText(_cli.StackFile));
    }

    [Fact]
    public async Task A_forced_switch_parks_the_serving_lane_scales_the_target_and_then_edits_only_the_active_flags()
    {
        var before = File.ReadAllText(_cli.StackFile);

        Assert.Equal(ExitCodes.Ok, await _cli.RunAsync("switch", Deep, "--force", "-s", "homelab"));

        Assert.Equal((0, 1), (Replicas(Fast), Replicas(Deep)));
        Assert.Contains($"switched: '{Deep}' serves on node 'gpu-worker'", _cli.Out);
        var after = File.ReadAllText(_cli.StackFile);
        var changed = before.Split('\n').Zip(after.Split('\n')).Where(p => p.First != p.Second).ToList();
        Assert.Equal(2, changed.Count);
        Assert.All(changed, p => Assert.Matches(@"^\s+active: (true|false)$", p.Second));
        Assert.Equal(before.Split('\n').Length, after.Split('\n').Length);
        // The gateway's aliases now reach the target lane.
        Assert.Contains($"http://{Deep}.llm.svc.cluster.local", _server.Get("HelmChart", "kube-system", "litellm")!.ToJsonString(), StringComparison.Ordinal);

        // The file now describes the cluster: nothing is left to change.
        Assert.Equal(ExitCodes.Ok, await _cli.RunAsync("preview", "--expect-no-changes", "-s", "homelab"));
    }

    [Fact]
    public async Task A_switch_that_fails_to_apply_leaves_the_stack_file_unedited()
    {
        var before = File.ReadAllText(_cli.StackFile);
        _server.FailNext($"/namespaces/llm/deployments/{Deep}", count: 50, status: 500, method: "PATCH");

        var code = await _cli.RunAsync("switch", Deep, "--force", "-s", "homelab");

        Assert.Equal(ExitCodes.ResourceError, code);
        Assert.Contains("the stack file is unchanged", _cli.Err);
        Assert.Equal(before, File.ReadAllText(_cli.StackFile));
    }

    [Fact]
    public async Task Dry_run_changes_nothing_and_no_apply_only_edits_the_file()
    {
        var (before, writes) = (File.ReadAllText(_cli.StackFile), Writes());

        Assert.Equal(ExitCodes.Ok, await _cli.RunAsync("switch", Deep, "--force", "--dry-run", "-s", "homelab"));
        Assert.Contains("kubernetes:apps/v1:Deployment", _cli.Out);
        Assert.Equal(before, File.ReadAllText(_cli.StackFile));

        Assert.Equal(ExitCodes.Ok, await _cli.RunAsync("switch", Deep, "--force", "--no-apply", "-s", "homelab"));
        Assert.Equal(writes, Writes());
        Assert.Equal((1, 0), (Replicas(Fast), Replicas(Deep)));
        Assert.Contains($"      - name: {Deep}\n        runtime: llamacpp\n        active: true\n", File.ReadAllText(_cli.StackFile).ReplaceLineEndings("\n"));
    }
}
