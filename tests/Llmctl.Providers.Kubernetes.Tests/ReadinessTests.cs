using System.Diagnostics;
using System.Text.Json.Nodes;
using Llmctl.Engine.Providers;
using static Llmctl.Providers.Kubernetes.Tests.ProviderHarness;

namespace Llmctl.Providers.Kubernetes.Tests;

public class ReadinessTests
{
    [Fact]
    public async Task A_deployment_is_awaited_until_its_replicas_are_available_and_progress_is_reported()
    {
        await using var h = await StartAsync();
        h.Server.AutoReady("Deployment", TimeSpan.FromMilliseconds(150));
        var reports = new List<string>();
        var clock = Stopwatch.StartNew();
        using (OperationProgress.Route(m => { lock (reports) reports.Add(m); }))
        {
            await h.CreateAsync(Deployment("web", replicas: 1));
        }
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(140), $"returned after {clock.Elapsed}");
        Assert.Equal(1, h.Server.Get("Deployment", "default", "web")!["status"]!["availableReplicas"]!.GetValue<int>());
        Assert.Contains(reports, r => r.Contains("Deployment 'default/web'"));
    }

    [Fact]
    public async Task A_deployment_at_zero_replicas_is_ready_at_once()
    {
        await using var h = await StartAsync();
        await h.CreateAsync(Deployment("parked", replicas: 0), TimeSpan.FromMilliseconds(500));
        Assert.Single(h.Server.Requests, r => r.Method == "GET");
    }

    [Fact]
    public async Task A_timeout_says_what_was_still_missing()
    {
        await using var h = await StartAsync();
        await h.CreateAsync(Deployment("web", replicas: 0));
        h.Server.SetStatus("Deployment", "default", "web", s => { s["observedGeneration"] = 2; s["updatedReplicas"] = 1; s["availableReplicas"] = 0; });

        var e = Assert.IsType<TimeoutException>((await Assert.ThrowsAsync<PartialApplyException>(() => h.CreateAsync(Deployment("web", replicas: 1), TimeSpan.FromMilliseconds(200)))).InnerException);
        Assert.Contains("0/1 replicas available", e.Message);
        Assert.Contains("Deployment 'default/web'", e.Message);
    }

    [Fact]
    public async Task The_timeout_annotation_overrides_the_engines_timeout_and_skip_await_skips()
    {
        await using var h = await StartAsync();
        var clock = Stopwatch.StartNew();
        Assert.IsType<TimeoutException>((await Assert.ThrowsAsync<PartialApplyException>(() => h.CreateAsync(Deployment("slow", annotations: new() { ["pulumi.com/timeoutSeconds"] = "1" }), TimeSpan.FromMinutes(10)))).InnerException);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));

        await h.CreateAsync(Deployment("skipped", annotations: new() { ["llmctl.io/skipAwait"] = "true" }), TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_model_server_waits_twenty_minutes_when_the_engine_passes_its_default_of_ten()
    {
        var server = Deployment("lane", annotations: new() { ["llmctl.io/model-server"] = "true" });
        Assert.Equal(TimeSpan.FromMinutes(20), AwaitAnnotations.Timeout(server, TimeSpan.FromMinutes(10)));
        Assert.Equal(TimeSpan.FromMinutes(30), AwaitAnnotations.Timeout(server, TimeSpan.FromMinutes(30)));
        Assert.Equal(TimeSpan.FromMinutes(10), AwaitAnnotations.Timeout(Deployment("web"), TimeSpan.FromMinutes(10)));
    }

    [Theory]
    [InlineData("StatefulSet")]
    [InlineData("DaemonSet")]
    public async Task Other_workloads_are_awaited_until_their_controller_reports_them_ready(string kind)
    {
        await using var h = await StartAsync();
        h.Server.AutoReady(kind, TimeSpan.FromMilliseconds(100));
        var obj = Deployment("db", replicas: 1);
        obj["kind"] = kind;
        if (kind == "DaemonSet") obj["spec"]!.AsObject().Remove("replicas");
        var clock = Stopwatch.StartNew();
        await h.CreateAsync(obj);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(90));
        Assert.NotNull(h.Server.Get(kind, "default", "db")!["status"]!["observedGeneration"]);
    }

    [Fact]
    public async Task A_job_is_awaited_until_complete_and_a_failed_job_fails_fast_with_its_message()
    {
        await using var h = await StartAsync();
        h.Server.AutoReady("Job", TimeSpan.FromMilliseconds(50));
        await h.CreateAsync(Job("migrate"));
        Assert.Equal("Complete", h.Server.Get("Job", "default", "migrate")!["status"]!["conditions"]![0]!["type"]!.GetValue<string>());

        h.Server.AutoReady("Job", TimeSpan.FromHours(1));
        var failing = h.CreateAsync(Job("broken"));
        await WaitForAsync(() => h.Server.Get("Job", "default", "broken") is not null);
        h.Server.FailJob("default", "broken", "Job has reached the specified backoff limit");
        var e = Assert.IsType<ProviderException>((await Assert.ThrowsAsync<PartialApplyException>(() => failing)).InnerException);
        Assert.Contains("Job has reached the specified backoff limit", e.Message);
    }

    [Fact]
    public async Task A_crd_is_awaited_until_established_and_its_kind_can_then_be_applied()
    {
        await using var h = await StartAsync();
        h.Server.AutoReady("CustomResourceDefinition", TimeSpan.FromMilliseconds(50));
        await h.CreateAsync(Crd());
        await h.CreateAsync(Simple("example.com/v1", "Widget", "w1"));
        Assert.Contains(h.Server.Requests, r => r is { Method: "PATCH", Path: "/apis/example.com/v1/namespaces/default/widgets/w1" });
        Assert.NotNull(h.Server.Get("Widget", "default", "w1"));
    }

    [Fact]
    public async Task A_helm_chart_is_awaited_until_its_install_job_completes_and_a_failure_carries_the_jobs_message_and_log()
    {
        await using var h = await StartAsync();
        h.Server.AutoReady("HelmChart", TimeSpan.FromMilliseconds(20)).AutoReady("Job", TimeSpan.FromMilliseconds(50));
        await h.CreateAsync(Simple("helm.cattle.io/v1", "HelmChart", "traefik", "kube-system", new JsonObject { ["chart"] = "traefik" }));
        Assert.NotNull(h.Server.Get("Job", "kube-system", "helm-install-traefik"));

        h.Server.AutoReady("Job", TimeSpan.FromHours(1));
        var failing = h.CreateAsync(Simple("helm.cattle.io/v1", "HelmChart", "broken", "kube-system", new JsonObject { ["chart"] = "nope" }));
        await WaitForAsync(() => h.Server.Get("Job", "kube-system", "helm-install-broken") is not null);
        h.Server.AddJobPod("kube-system", "helm-install-broken",
            string.Join('\n', Enumerable.Range(1, 40).Select(i => $"helm line {i}")) + "\nError: INSTALLATION FAILED: chart \"nope\" not found in repo");
        h.Server.FailJob("kube-system", "helm-install-broken", "chart \"nope\" not found");
        var e = Assert.IsType<ProviderException>((await Assert.ThrowsAsync<PartialApplyException>(() => failing)).InnerException);
        Assert.Contains("helm install failed", e.Message);
        Assert.Contains("chart \"nope\" not found", e.Message);
        Assert.Contains("last lines of the helm-install-broken log:", e.Message);
        Assert.Contains("Error: INSTALLATION FAILED: chart \"nope\" not found in repo", e.Message);
        Assert.DoesNotContain("helm line 5\n", e.Message);
    }

    internal static JsonObject Job(string name) => Simple("batch/v1", "Job", name, spec: new JsonObject
    {
        ["template"] = new JsonObject { ["spec"] = new JsonObject { ["restartPolicy"] = "Never", ["containers"] = new JsonArray(new JsonObject { ["name"] = "job", ["image"] = "busybox" }) } },
    });

    internal static JsonObject Crd() => Simple("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com", ns: null, new JsonObject
    {
        ["group"] = "example.com",
        ["scope"] = "Namespaced",
        ["names"] = new JsonObject { ["kind"] = "Widget", ["plural"] = "widgets", ["singular"] = "widget" },
        ["versions"] = new JsonArray(new JsonObject { ["name"] = "v1", ["served"] = true, ["storage"] = true }),
    });

    internal static async Task WaitForAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(5)) throw new TimeoutException("condition not met");
            await Task.Delay(10);
        }
    }
}
