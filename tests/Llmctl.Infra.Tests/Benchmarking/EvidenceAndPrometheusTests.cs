using Llmctl.Infra.Benchmarking;
using Llmctl.Infra.Observability;
using Llmctl.Infra.Switching;
using Llmctl.Providers.Kubernetes;
using Llmctl.Stacks.Config;
using Llmctl.Testing;

namespace Llmctl.Infra.Tests.Benchmarking;

/// <summary>The evidence file round trip and staleness, the service-proxy address, and the Prometheus query's answers.</summary>
public class EvidenceAndPrometheusTests
{
    private static readonly LaneConfig FastLane = new()
    {
        Name = "fast",
        Runtime = LaneRuntime.LlamaCpp,
        Image = "ghcr.io/ggml-org/llama.cpp:server-cuda@sha256:" + new string('a', 64),
        Model = "Qwen3.6-35B-A3B-UD-Q4_K_M.gguf",
        CtxSize = 49152,
        CacheTypeK = "q8_0",
        CacheTypeV = "q8_0",
        Parallel = 1,
    };

    private static BenchReport Report(PeakGpuMemory? peak, int failures = 0)
    {
        ScenarioSummary S(string target, TargetKind kind, int ctx, double ttft, double decode) => new()
        {
            Target = target, Kind = kind, Context = ctx, Concurrency = 1, Requests = 2, Ok = 2 - failures, Errors = failures, PromptTokens = ctx,
            TtftP50Ms = ttft, TtftP95Ms = ttft * 1.1, DecodeTokensPerSecond = decode, PrefillTokensPerSecond = ctx / (ttft / 1000), ThroughputTokensPerSecond = decode,
            FirstError = failures > 0 ? "HTTP 500 Internal Server Error" : null,
        };
        var result = new BenchResult([], [S("lane fast", TargetKind.Lane, 2048, 400, 83.9), S("alias fast", TargetKind.Alias, 2048, 450, 80.1),
            S("lane fast", TargetKind.Lane, 30720, 16800, 58.9), S("alias fast", TargetKind.Alias, 30720, 16900, 57.0)], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddMinutes(5));
        return new BenchReport("homelab", new BenchSettings { Contexts = [2048, 30720], VaryPrompts = true }, [], result, peak);
    }

    private static AcceptanceEvidence RoundTrip(string text)
    {
        var dir = Directory.CreateTempSubdirectory("llmctl-evidence-").FullName;
        try
        {
            EvidenceWriter.Write(dir, "homelab", "fast", text);
            return AcceptanceEvidence.Load(dir, "homelab", "fast");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Written_evidence_reads_back_with_its_settings_and_figures()
    {
        var settings = EvidenceSettings.Of(FastLane, null) with { ModelSha256 = new string('b', 64) };
        var text = EvidenceWriter.Text("fast", "rtx-pro-4000-blackwell-sff", settings, Report(new PeakGpuMemory(21647.2, 24467, "DCGM")), DateTimeOffset.Parse("2026-12-01T14:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

        var record = RoundTrip(text).Record!;

        Assert.Equal(new EvidenceRecord("fast", "rtx-pro-4000-blackwell-sff", "pass", 49152, 21648, "2026-12-01T14:00:00Z", null), record with { Settings = new(null, null, null, 49152, null, null, null, null) });
        Assert.Equal(settings, record.Settings);
        Assert.Equal("sha256:" + new string('a', 64), record.Settings!.ImageDigest);
        Assert.Contains("\ntokensPerSecond: # decode, at the smallest context and the lowest concurrency\n  direct: 83.9\n  gateway: 80.1\n", text);
        Assert.Contains("\nttftSeconds: # p50 at the largest context (30720 prompt tokens)\n  direct: 16.8\n  gateway: 16.9\n", text);
        Assert.Contains("\nscenarios: # varied prompts (no prefix cache); 256 max tokens\n", text);
    }

    [Fact]
    public void Evidence_with_failures_or_no_peak_says_so_in_its_notes()
    {
        var text = EvidenceWriter.Text("fast", null, EvidenceSettings.Of(FastLane, null), Report(new PeakGpuMemory(null, 24467, "DCGM", "Prometheus at http://p did not answer"), failures: 1), DateTimeOffset.UnixEpoch);

        var record = RoundTrip(text).Record!;

        Assert.Equal("fail", record.Result);
        Assert.Null(record.PeakVramMiB);
        Assert.Equal("4 of 8 requests failed; first: HTTP 500 Internal Server Error; peak GPU memory not measured: Prometheus at http://p did not answer", record.Notes);
    }

    [Fact]
    public void Every_setting_that_changes_makes_the_evidence_stale_and_says_how()
    {
        var then = EvidenceSettings.Of(FastLane, null) with { ModelSha256 = new string('b', 64) };

        Assert.Empty(then.ChangesSince(then));
        Assert.Equal(["ctx 49152 → 65536"], (then with { CtxSize = 65536 }).ChangesSince(then));
        Assert.Equal(["cache type K q8_0 → q4_0"], (then with { CacheTypeK = "q4_0" }).ChangesSince(then));
        Assert.Equal(["parallel 1 → 2"], (then with { Parallel = 2 }).ChangesSince(then));
        Assert.Equal(["model sha256 bbbbbbbbbbbbbbbbbbb… → ccccccccccccccccccc…"], (then with { ModelSha256 = new string('c', 64) }).ChangesSince(then));
        Assert.Equal(["image sha256:aaaaaaaaaaaa… → sha256:dddddddddddd…"], (then with { Image = "ghcr.io/ggml-org/llama.cpp:server-cuda@sha256:" + new string('d', 64) }).ChangesSince(then));
        Assert.Equal(["model file Qwen3.6-35B-A3B-UD-Q4_K_M.gguf → other.gguf"], (then with { ModelFile = "other.gguf" }).ChangesSince(then));
        // A file records what it records: a setting it lacks is not compared (a hand-written file with ctxSize alone).
        var handWritten = new EvidenceSettings(null, null, null, 49152, null, null, null, null);
        Assert.Empty((then with { Parallel = 4, Image = "other" }).ChangesSince(handWritten));
        Assert.Equal(["ctx 49152 → 32768"], (then with { CtxSize = 32768 }).ChangesSince(handWritten));
    }

    [Fact]
    public void Preflight_flags_stale_evidence_and_passes_current_evidence()
    {
        var settings = EvidenceSettings.Of(FastLane, null);
        var evidence = RoundTrip(EvidenceWriter.Text("fast", "rtx-pro-4000-blackwell-sff", settings, Report(new PeakGpuMemory(21648, 24467, "DCGM")), DateTimeOffset.UnixEpoch));
        var gpu = new Components.Gpu.NodeGpu("gpu-worker", Components.Gpu.GpuVendor.Nvidia, "rtx-pro-4000-blackwell-sff", 24467);

        var current = evidence.Check(FastLane, gpu, settings);
        var stale = evidence.Check(FastLane with { Parallel = 2 }, gpu, settings with { Parallel = 2 });

        Assert.Equal((PreflightStatus.Pass, "validated_live_peak"), (current.Status, current.Id));
        Assert.Equal("lane has acceptance evidence on this GPU (peak 21648 MiB of 24467 MiB), recorded 1970-01-01T00:00:00Z", current.Message);
        Assert.Equal(PreflightStatus.Warn, stale.Status);
        Assert.Equal("the evidence is stale: the lane changed since it was measured (1970-01-01T00:00:00Z): parallel 1 → 2; measure it again with `llmctl bench --lane fast --evidence`", stale.Message);
    }

    [Fact]
    public void A_Service_address_maps_to_the_API_servers_proxy_path_and_nothing_else_does()
    {
        var service = ServiceProxy.ServiceUrl("litellm", "litellm", 4000, "v1/chat/completions");

        Assert.Equal("http://litellm.litellm.svc.cluster.local:4000/v1/chat/completions", service.AbsoluteUri);
        Assert.Equal("https://k3s.example:6443/api/v1/namespaces/litellm/services/http:litellm:4000/proxy/v1/chat/completions",
            ServiceProxy.ProxyUrl(new Uri("https://k3s.example:6443/"), service).AbsoluteUri);
        Assert.Throws<ArgumentException>(() => ServiceProxy.ProxyUrl(new Uri("https://k3s.example:6443"), new Uri("http://example.com/v1")));
    }

    [Fact]
    public void The_Prometheus_Service_and_the_peak_query_follow_the_chart_and_DCGMs_labels()
    {
        Assert.Equal("kube-prometheus-stack-prometheus", PrometheusQuery.ServiceNameFor("kube-prometheus-stack"));
        Assert.Equal("monitoring-kube-prometheus-prometheus", PrometheusQuery.ServiceNameFor("monitoring"));
        Assert.Equal("max(max_over_time(DCGM_FI_DEV_FB_USED{Hostname=\"gpu-worker\"}[301s]))", PrometheusQuery.PeakFramebufferQuery("gpu-worker", TimeSpan.FromSeconds(300.2)));
        Assert.Equal("max(max_over_time(DCGM_FI_DEV_FB_USED[30s]))", PrometheusQuery.PeakFramebufferQuery(null, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Prometheus_answers_become_a_value_nothing_or_an_error_that_names_it()
    {
        using var server = new FakeChatServer();
        using var http = new HttpClient();
        var prometheus = new PrometheusQuery(http, new Uri($"http://127.0.0.1:{server.Port}"));
        var ct = TestContext.Current.CancellationToken;

        server.Get = (_, _) => """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"gpu":"0"},"value":[1,"20100"]},{"metric":{"gpu":"1"},"value":[1,"21648"]}]}}""";
        Assert.Equal(21648, await prometheus.MaxAsync("q", ct));
        server.Get = (_, _) => """{"status":"success","data":{"resultType":"vector","result":[]}}""";
        Assert.Null(await prometheus.MaxAsync("q", ct));
        server.Get = (_, _) => """{"status":"error","errorType":"bad_data","error":"parse error at char 4"}""";
        var refused = await Assert.ThrowsAsync<PrometheusException>(() => prometheus.MaxAsync("q", ct));
        Assert.Equal($"Prometheus at http://127.0.0.1:{server.Port}/ refused the query (HTTP 200): parse error at char 4", refused.Message);
        server.Get = (_, _) => "<html>login</html>";
        var html = await Assert.ThrowsAsync<PrometheusException>(() => prometheus.MaxAsync("q", ct));
        Assert.Contains("with something that is not its API's JSON", html.Message);
        Assert.Equal("/api/v1/query?query=q", server.GetRequests[0]);
    }
}
