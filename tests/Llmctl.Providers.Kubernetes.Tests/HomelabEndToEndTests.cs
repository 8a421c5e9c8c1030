using System.Text.Json.Nodes;
using Llmctl.Engine.Deployment;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Providers;
using Llmctl.Testing.Kubernetes;

namespace Llmctl.Providers.Kubernetes.Tests;

public class HomelabEndToEndTests
{
    private static readonly string[] Lanes = ["qwen36-35b-gguf-fast", "qwen36-35b-gguf-longctx", "qwen36-27b-deep"];

    private static async Task<(FakeKubernetesServer Server, HomelabStack Stack)> StartAsync(Func<KubernetesProviderOptions, KubernetesProviderOptions>? tweak = null)
    {
        var server = await FakeKubernetesServer.StartAsync();
        server.AutoReadyAll(TimeSpan.FromMilliseconds(30));
        server.AddNode("gpu-worker", new Dictionary<string, string> { ["kubernetes.io/hostname"] = "gpu-worker" });
        var options = ProviderHarness.FastOptions(server);
        return (server, new HomelabStack(new KubernetesProvider(tweak?.Invoke(options) ?? options)));
    }

    [Fact]
    public async Task Up_creates_the_homelab_in_order_waits_for_readiness_and_a_second_plan_shows_no_changes()
    {
        var (server, stack) = await StartAsync();
        await using var _ = server;

        var result = await stack.UpAsync();

        Assert.True(result.Succeeded, string.Join("\n", result.Failures));
        Assert.Empty(result.Checkpoint.PendingOperations);
        var patches = server.Requests.Where(r => r.Method == "PATCH").Select(r => r.Path).ToList();
        var nsAt = patches.IndexOf("/api/v1/namespaces/llm");
        Assert.True(nsAt >= 0);
        Assert.All(patches.Where(p => p.Contains("/namespaces/llm/")), p => Assert.True(patches.IndexOf(p) > nsAt, $"{p} was applied before its Namespace"));
        foreach (var lane in Lanes)
        {
            Assert.NotNull(server.Get("Deployment", "llm", lane));
            Assert.NotNull(server.Get("Service", "llm", lane));
        }
        Assert.Equal(1, server.Get("Deployment", "llm", Lanes[0])!["status"]!["availableReplicas"]!.GetValue<int>());
        Assert.Equal("inference", server.Get("Node", null, "gpu-worker")!["metadata"]!["labels"]!["workload.ai/profile"]!.GetValue<string>());
        Assert.NotNull(server.Get("RuntimeClass", null, "nvidia"));

        var again = await stack.PreviewAsync();
        Assert.False(again.HasChanges, string.Join("\n", again.Steps.Where(s => s.Op.IsChange()).Select(s => $"{s.Op} {s.Urn}")));
    }

    [Fact]
    public async Task Destroy_removes_everything_in_reverse_but_leaves_the_node_labels_and_runtime_class_it_retains()
    {
        var (server, stack) = await StartAsync();
        await using var _ = server;
        Assert.True((await stack.UpAsync()).Succeeded);

        var result = await stack.DestroyAsync();

        Assert.True(result.Succeeded, string.Join("\n", result.Failures));
        Assert.Empty(stack.Checkpoint.Resources);
        Assert.Empty(server.All("Deployment"));
        Assert.Empty(server.All("Service"));
        Assert.Null(server.Get("Namespace", null, "llm"));
        var deletes = server.Requests.Where(r => r.Method == "DELETE").Select(r => r.Path).ToList();
        Assert.Equal("/api/v1/namespaces/llm", deletes[^1]);
        Assert.NotNull(server.Get("RuntimeClass", null, "nvidia"));
        Assert.NotNull(server.Get("Node", null, "gpu-worker")!["metadata"]!["labels"]!["workload.ai/profile"]);
    }

    [Fact]
    public async Task Injected_server_errors_resets_and_slow_answers_mid_up_are_ridden_out()
    {
        var (server, stack) = await StartAsync(o => o with { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        await using var _ = server;
        server.FailNext("/deployments/", count: 2, status: 500);
        server.AbortNext("/services/", count: 2);
        server.DelayNext("/runtimeclasses/", TimeSpan.FromSeconds(1), count: 1);
        server.FailNext("/namespaces/llm$", count: 1, status: 503);

        var result = await stack.UpAsync();

        Assert.True(result.Succeeded, string.Join("\n", result.Failures));
        Assert.Equal(3, server.All("Deployment").Count);
        Assert.Equal(3, server.All("Service").Count);
    }

    [Fact]
    public async Task A_cancelled_up_followed_by_another_converges_with_nothing_lost_or_duplicated()
    {
        var (server, stack) = await StartAsync();
        await using var _ = server;
        server.AutoReady("Deployment", TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource();
        var first = stack.UpAsync(ct: cts.Token);
        await ReadinessTests.WaitForAsync(() => server.Get("Deployment", "llm", Lanes[0]) is not null);
        cts.Cancel();
        var cancelled = await first;
        Assert.False(cancelled.Succeeded);
        Assert.Contains(cancelled.Failures, f => f.Kind == FailureKind.Cancelled);

        server.AutoReady("Deployment", TimeSpan.FromMilliseconds(20));
        // The controller comes back and finishes the rollout it started (a status write re-arms the emulation).
        server.SetStatus("Deployment", "llm", Lanes[0], s => s.Remove("observedGeneration"));
        var second = await stack.UpAsync();

        Assert.True(second.Succeeded, string.Join("\n", second.Failures));
        Assert.Empty(second.Checkpoint.PendingOperations);
        Assert.Equal(second.Checkpoint.Resources.Count, second.Checkpoint.Resources.Select(r => r.Urn).Distinct().Count());
        Assert.Equal(3, server.All("Deployment").Count);
        Assert.Equal(3, server.All("Service").Count);
        Assert.Single(server.All("Namespace"), n => n["metadata"]!["name"]!.GetValue<string>() == "llm");
        Assert.Equal(3, second.Checkpoint.Resources.Count(r => r.Type == "kubernetes:apps/v1:Deployment"));
        Assert.False((await stack.PreviewAsync()).HasChanges);
    }

    [Fact]
    public async Task A_live_preview_shows_drift_made_in_the_cluster_and_nothing_when_there_is_none()
    {
        var (server, stack) = await StartAsync();
        await using var _ = server;
        Assert.True((await stack.UpAsync()).Succeeded);
        var live = new KubernetesProvider(ProviderHarness.FastOptions(server) with { LiveDiff = true });
        var liveRegistry = new ProviderRegistry().Register(KubernetesProvider.Package, live);
        var before = server.Requests.Count(r => r.Method == "PATCH");

        var clean = await stack.PreviewAsync(providers: liveRegistry);
        Assert.False(clean.HasChanges, string.Join("\n", clean.Steps.Where(s => s.Op.IsChange()).Select(s => $"{s.Op} {s.Urn} {string.Join(",", s.DetailedDiff.Select(d => d.Path))}")));
        Assert.Contains(server.Requests, r => r.Method == "PATCH" && r.Query.Contains("dryRun=All"));

        server.Edit("Deployment", "llm", Lanes[1], "kubectl-edit", o => o["spec"]!["replicas"] = 1);
        var drifted = await stack.PreviewAsync(providers: liveRegistry);

        var step = Assert.Single(drifted.Steps, s => s.Op.IsChange());
        Assert.Equal(StepOp.Update, step.Op);
        Assert.EndsWith(Lanes[1], step.Urn.Value);
        Assert.Contains(step.DetailedDiff, d => d.Path == "spec.replicas");
        // Dry runs stored nothing: the drifted value is still there.
        Assert.Equal(1, server.Get("Deployment", "llm", Lanes[1])!["spec"]!["replicas"]!.GetValue<int>());
        Assert.All(server.Requests.Where(r => r.Method == "PATCH").Skip(before), r => Assert.Contains("dryRun=All", r.Query));
    }
}
