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
        _cli = new CliHarness
        {
            ProviderFactory = (_, _) => new ProviderRegistry().Register(KubernetesProvider.Package, new KubernetesProvider(options)),
            ClusterFacts = _ => new ClusterFacts(options),
        };
        // The fake serves the built-in kinds and HelmChart; the Prometheus operator's kinds arrive with its chart, so the
        // switch tests run the homelab without its observability section.
        var text = File.ReadAllText(_cli.StackFile);
        var at = text.IndexOf("  # kube-prometheus-stack with the DCGM exporter", StringComparison.Ordinal);
        Assert.True(at > 0);
        File.WriteAllText(_cli.StackFile, text[..at]);
        Assert.Equal(ExitCodes.Ok, await _cli.RunAsync("up", "--yes", "-s", "homelab"));
        LiveNode();
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

    /// <summary>What GFD, the device plugin and the kubelet report for the GPU worker (seed 002's live node).</summary>
    private void LiveNode(string gpus = "1", string gpuMemory = "24467")
    {
        _server.AddNode("gpu-worker", new Dictionary<string, string>
        {
            ["kubernetes.io/hostname"] = "gpu-worker",
            ["nvidia.com/gpu.memory"] = gpuMemory,
            ["workload.ai/gpu"] = "true",
        });
        _server.SetStatus("Node", null, "gpu-worker", s => s["allocatable"] = new System.Text.Json.Nodes.JsonObject
        {
            ["cpu"] = "15", ["memory"] = "57457452Ki", ["nvidia.com/gpu"] = gpus, ["pods"] = "110",
        });
    }

    private void GpuPod(string name, string lane, string phase)
    {
        _server.Seed(new System.Text.Json.Nodes.JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new System.Text.Json.Nodes.JsonObject
            {
                ["name"] = name,
                ["namespace"] = "llm",
                ["labels"] = new System.Text.Json.Nodes.JsonObject { ["workload.ai/gpu-llm"] = "true", ["workload.ai/lane"] = lane },
            },
            ["spec"] = new System.Text.Json.Nodes.JsonObject { ["nodeName"] = "gpu-worker", ["containers"] = new System.Text.Json.Nodes.JsonArray() },
        });
        _server.SetStatus("Pod", "llm", name, s => s["phase"] = phase);
    }

    [Fact]
    public async Task Preflight_reads_the_live_node_and_GPU_pods_when_the_cluster_answers()
    {
        LiveNode();
        GpuPod("fast-0", Fast, "Running");

        Assert.Equal(10, await _cli.RunAsync("preflight", Deep, "-s", "homelab"));

        Assert.True(_cli.Out.Contains("live: read from the cluster (node 'gpu-worker')", StringComparison.Ordinal), _cli.Out);
        Assert.Contains("[PASS] gpu_allocatable: node 'gpu-worker' advertises 1 allocatable nvidia.com/gpu", _cli.Out);
        Assert.Contains("[PASS] gpu_memory: GPU Feature Discovery reports 24467 MiB, as declared", _cli.Out);
        Assert.True(_cli.Out.Contains($"[PASS] gpu_pods: 1 running GPU LLM pod on the node ({Fast}), none pending", StringComparison.Ordinal), _cli.Out);
    }

    [Fact]
    public async Task A_node_whose_device_plugin_advertises_no_GPU_blocks_and_a_pending_pod_warns()
    {
        LiveNode(gpus: "0", gpuMemory: "16311");
        GpuPod("deep-0", Deep, "Pending");

        Assert.Equal(20, await _cli.RunAsync("preflight", Deep, "-s", "homelab"));

        Assert.Contains("[BLOCK] gpu_allocatable: node 'gpu-worker' advertises 0 allocatable nvidia.com/gpu and the lane needs 1", _cli.Out);
        Assert.Contains("[WARN] gpu_memory: GPU Feature Discovery reports 16311 MiB but the stack declares 24467 MiB", _cli.Out);
        Assert.Contains("[WARN] gpu_pods: GPU LLM pods are pending: llm/deep-0", _cli.Out);
        Assert.Equal(20, await _cli.RunAsync("switch", Deep, "--force", "-s", "homelab"));
        Assert.Equal((1, 0), (Replicas(Fast), Replicas(Deep)));
    }
}
