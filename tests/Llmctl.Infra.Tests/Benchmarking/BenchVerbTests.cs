using System.Text.Json.Nodes;
using Llmctl.Infra.Cli;
using Llmctl.Testing;

namespace Llmctl.Infra.Tests.Benchmarking;

/// <summary>
/// <c>llmctl bench</c> end to end in-process: against a URL, and against the homelab's lane and gateway alias reached
/// through a fake API server's service proxy (the <see cref="FakeChatServer"/> answers at the proxy paths, and as
/// Prometheus); the files it writes, the evidence preflight reads back, and stale evidence.
/// </summary>
public class BenchVerbTests
{
    private const string LanePath = "/api/v1/namespaces/llm/services/http:qwen36-35b-gguf-fast:8080/proxy";
    private const string GatewayPath = "/api/v1/namespaces/litellm/services/http:litellm:4000/proxy";
    private const string PrometheusPath = "/api/v1/namespaces/monitoring/services/http:kube-prometheus-stack-prometheus:9090/proxy/api/v1/query";

    /// <summary>The homelab's kubeconfig pointed at <paramref name="server"/> as its API server, which answers the lane, the gateway and Prometheus.</summary>
    private static void PointStackAt(CliHarness cli, FakeChatServer server)
    {
        var kubeconfig = Path.Combine(cli.Directory, "kubeconfig.yaml");
        File.WriteAllText(kubeconfig, Kubeconfigs.For($"http://127.0.0.1:{server.Port}", "homelab"));
        cli.EditStackFile("  kubernetes:context: homelab\n", $"  kubernetes:context: homelab\n  kubernetes:kubeconfig: {kubeconfig}\n");
        server.PathPrefixes.Add(LanePath);
        server.PathPrefixes.Add(GatewayPath);
        server.Get = (path, query) => path == PrometheusPath && query.Contains("DCGM_FI_DEV_FB_USED", StringComparison.Ordinal)
            ? """{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1764600000,"21648"]}]}}"""
            : null;
    }

    [Fact]
    public async Task A_url_run_prints_the_table_and_writes_csv_json_and_both_charts()
    {
        using var server = new FakeChatServer { CompletionTokens = 8, PerToken = TimeSpan.FromMilliseconds(2) };
        using var cli = new CliHarness();

        var code = await cli.RunAsync("bench", "-s", "homelab", "--url", $"http://127.0.0.1:{server.Port}", "--context", "256,1k", "--concurrency", "1,2",
            "--requests", "2", "--prime", "1", "--out", "results", "--prometheus", "none");

        Assert.True(code == 0, cli.Err);
        var target = $"http://127.0.0.1:{server.Port}/v1";
        var lines = cli.Out.ReplaceLineEndings("\n").Split('\n');
        Assert.StartsWith("target ", lines[0]);
        Assert.Contains("TTFT p50", lines[0]);
        Assert.Equal(4, lines.Count(l => l.StartsWith(target + " ", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith(target + ": decode around ", StringComparison.Ordinal));
        var dir = Path.Combine(cli.Directory, "results");
        var requests = File.ReadAllLines(Path.Combine(dir, "requests.csv"));
        Assert.Equal(1 + 4 * 2, requests.Length);
        Assert.All(requests.Skip(1), r => Assert.Contains(",ok,", r));
        Assert.Equal(1 + 4, File.ReadAllLines(Path.Combine(dir, "scenarios.csv")).Length);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "bench.json")))!;
        Assert.Equal(4, json["scenarios"]!.AsArray().Count);
        Assert.Equal(8, json["requests"]!.AsArray().Count);
        Assert.Equal([256, 1024], json["settings"]!["contexts"]!.AsArray().Select(n => n!.GetValue<int>()));
        foreach (var chart in new[] { "ttft-tokens-vs-context.svg", "ttft-tokens-vs-concurrency.svg" })
        {
            var svg = File.ReadAllText(Path.Combine(dir, chart));
            Assert.StartsWith("<?xml", svg.TrimStart());
            Assert.Contains("<svg", svg);
        }
        Assert.Equal(1 + 8, server.RequestCount);
        Assert.Contains("wrote results/bench.json", cli.Err);
    }

    [Fact]
    public async Task The_lane_and_the_gateway_alias_run_side_by_side_through_the_API_servers_service_proxy()
    {
        using var server = new FakeChatServer { CompletionTokens = 6 };
        using var cli = new CliHarness();
        PointStackAt(cli, server);
        cli.Env("PULUMI_CONFIG_PASSPHRASE", "correct horse");
        Assert.Equal(0, await cli.RunAsync("config", "set", "--secret", "llmctl:benchApiKey", "sk-gateway-key", "-s", "homelab"));

        var code = await cli.RunAsync("bench", "-s", "homelab", "--lane", "qwen36-35b-gguf-fast", "--alias", "fast", "--connect", "api",
            "--context", "512", "--requests", "2", "--out", "r", "--json");

        Assert.True(code == 0, cli.Err);
        // A priming request to each, then the scenario: the lane's two, the alias's two.
        Assert.Equal([LanePath, GatewayPath, LanePath, LanePath, GatewayPath, GatewayPath], server.Paths.Select(p => p[..p.LastIndexOf("/v1/chat/completions", StringComparison.Ordinal)]));
        Assert.Equal(["qwen36-35b-gguf-fast", "fast"], server.Bodies.Select(b => b["model"]!.GetValue<string>()).Distinct());
        // The API server takes the kubeconfig's credentials; the Service's own key travels beside them.
        Assert.All(server.Authorizations, a => Assert.Equal("Bearer fake-token", a));
        Assert.All(server.ApiKeyHeaders, k => Assert.Equal("sk-gateway-key", k));
        Assert.DoesNotContain("sk-gateway-key", cli.Out + cli.Err);
        var json = JsonNode.Parse(cli.Out)!;
        Assert.Equal(["lane qwen36-35b-gguf-fast", "alias fast"], json["scenarios"]!.AsArray().Select(s => s!["target"]!.GetValue<string>()));
        Assert.Equal(21648, json["peakGpuMemory"]!["mib"]!.GetValue<double>());
        Assert.Contains(server.GetRequests, q => q.Contains("DCGM_FI_DEV_FB_USED{Hostname=\"gpu-worker\"}", StringComparison.Ordinal));
        Assert.Contains("through the Kubernetes API server's service proxy", cli.Err);
    }

    [Fact]
    public async Task The_evidence_bench_writes_is_read_by_preflight_and_is_stale_once_the_lane_changes()
    {
        using var server = new FakeChatServer { CompletionTokens = 6 };
        using var cli = new CliHarness();
        PreflightTests.MakeFastLaneReady(cli);
        File.Delete(Path.Combine(cli.Directory, "evidence", "homelab", "qwen36-35b-gguf-fast.yaml"));
        PointStackAt(cli, server);

        Assert.Equal(0, await cli.RunAsync("bench", "-s", "homelab", "--lane", "qwen36-35b-gguf-fast", "--alias", "fast", "--connect", "api",
            "--context", "512,2048", "--requests", "1", "--out", "r", "--evidence"));
        Assert.Contains("wrote evidence/homelab/qwen36-35b-gguf-fast.yaml (preflight reads it)", cli.Err);
        var evidence = File.ReadAllText(Path.Combine(cli.Directory, "evidence", "homelab", "qwen36-35b-gguf-fast.yaml"));
        Assert.Contains("\nresult: pass\n", evidence);
        Assert.Contains("\nhardware: \"rtx-pro-4000-blackwell-sff\"\n", evidence);
        Assert.Contains("\npeakVramMiB: 21648\n", evidence);
        Assert.Contains("\nmodelSha256: \"" + 1.ToString("x64", System.Globalization.CultureInfo.InvariantCulture) + "\"\n", evidence);
        Assert.Contains("\nimageDigest: \"sha256:5268283a8d6510d167364f19aee93e98180d8eb0cac4b7edb20af7e3edf40c17\"\n", evidence);
        Assert.Contains("\nmodelRef: \"qwen36-35b-a3b-ud-q4-k-m\"\nmodel: \"Qwen3.6-35B-A3B-UD-Q4_K_M.gguf\"\n", evidence);
        Assert.Contains("\ncacheTypeK: \"q8_0\"\ncacheTypeV: \"q8_0\"\nparallel: 1\n", evidence);
        Assert.Contains("\n  - path: gateway\n", evidence);

        Assert.Equal(0, await cli.RunAsync("preflight", "qwen36-35b-gguf-fast", "-s", "homelab", "--offline"));
        Assert.Contains("  [PASS] validated_live_peak: lane has acceptance evidence on this GPU (peak 21648 MiB of 24467 MiB), recorded ", cli.Out);
        Assert.Contains("live_peak_mib=21648", cli.Out);

        cli.EditStackFile("        cacheTypeV: q8_0\n        parallel: 1\n        resources:\n          requests:\n            cpu: \"8\"\n            memory: 32Gi\n          limits:\n            cpu: \"14\"\n            memory: 64Gi\n      - name: qwen36-35b-gguf-longctx",
            "        cacheTypeV: f16\n        parallel: 1\n        resources:\n          requests:\n            cpu: \"8\"\n            memory: 32Gi\n          limits:\n            cpu: \"14\"\n            memory: 64Gi\n      - name: qwen36-35b-gguf-longctx");
        Assert.Equal(10, await cli.RunAsync("preflight", "qwen36-35b-gguf-fast", "-s", "homelab", "--offline"));
        Assert.Contains("  [WARN] validation_status: the evidence is stale: the lane changed since it was measured (", cli.Out);
        Assert.Contains("cache type V q8_0 → f16; measure it again with `llmctl bench --lane qwen36-35b-gguf-fast --evidence`", cli.Out);
    }

    [Fact]
    public async Task A_failed_request_makes_exit_1_and_fail_evidence_that_blocks_preflight()
    {
        using var server = new FakeChatServer { FailWith = System.Net.HttpStatusCode.ServiceUnavailable };
        using var cli = new CliHarness();
        PreflightTests.MakeFastLaneReady(cli);
        PointStackAt(cli, server);

        Assert.Equal(ExitCodes.Error, await cli.RunAsync("bench", "-s", "homelab", "--lane", "qwen36-35b-gguf-fast", "--connect", "api",
            "--context", "512", "--requests", "1", "--prime", "0", "--out", "r", "--evidence"));
        Assert.Contains("lane qwen36-35b-gguf-fast ctx 512 c=1: 1 error(s), 0 timeout(s); first: HTTP 503 Service Unavailable", cli.Out);

        Assert.Equal(20, await cli.RunAsync("preflight", "qwen36-35b-gguf-fast", "-s", "homelab", "--offline"));
        Assert.Contains("[BLOCK] validation_status: the recorded validation did not pass (result: fail; 1 of 1 requests failed; first: HTTP 503", cli.Out);
    }

    [Fact]
    public async Task The_api_key_comes_from_secret_config_and_never_appears_in_output_or_files()
    {
        using var server = new FakeChatServer { RequireKey = "sk-bench-very-secret", CompletionTokens = 4 };
        using var cli = new CliHarness();
        cli.Env("PULUMI_CONFIG_PASSPHRASE", "correct horse");
        Assert.Equal(0, await cli.RunAsync("config", "set", "--secret", "llmctl:benchApiKey", "sk-bench-very-secret", "-s", "homelab"));

        var code = await cli.RunAsync("bench", "-s", "homelab", "--url", $"http://127.0.0.1:{server.Port}/v1", "--context", "256", "--requests", "1", "--out", "r", "--prometheus", "none");

        Assert.True(code == 0, cli.Out + cli.Err);

        Assert.All(server.Authorizations, a => Assert.Equal("Bearer sk-bench-very-secret", a));
        Assert.DoesNotContain("sk-bench-very-secret", cli.Out + cli.Err);
        foreach (var file in Directory.GetFiles(Path.Combine(cli.Directory, "r"))) Assert.DoesNotContain("sk-bench-very-secret", File.ReadAllText(file));
        Assert.Contains("\"apiKey\": \"[secret]\"", File.ReadAllText(Path.Combine(cli.Directory, "r", "bench.json")));
    }

    [Theory]
    [InlineData(new[] { "bench", "-s", "homelab" }, "name what to measure: --lane <lane>, --alias <alias> (or both), or --url <base URL>")]
    [InlineData(new[] { "bench", "-s", "homelab", "--alias", "fast", "--evidence" }, "--evidence records a lane's evidence: give --lane")]
    [InlineData(new[] { "bench", "-s", "homelab", "--lane", "nope" }, "no lane named 'nope'; the stack's lanes are: qwen36-35b-gguf-fast, qwen36-35b-gguf-longctx")]
    [InlineData(new[] { "bench", "-s", "homelab", "--alias", "embed" }, "the gateway has no alias 'embed'; its model names are: ")]
    [InlineData(new[] { "bench", "-s", "homelab", "--lane", "qwen36-35b-gguf-fast", "--context", "49152" }, "context step 49152 + 256 completion tokens does not fit the lane's 49152 tokens per slot (ctxSize 49152 / parallel 1)")]
    [InlineData(new[] { "bench", "-s", "homelab", "--url", "http://127.0.0.1:1/v1", "--context", "256,abc" }, "--context: 'abc' is not a positive whole number")]
    [InlineData(new[] { "bench", "-s", "homelab", "--url", "ftp://x", "--context", "256" }, "--url 'ftp://x' is not an http(s) URL")]
    [InlineData(new[] { "bench", "-s", "homelab", "--url", "http://127.0.0.1:1/v1", "--duration", "soon" }, "--duration: 'soon' is not a duration")]
    [InlineData(new[] { "bench", "-s", "homelab", "--url", "http://127.0.0.1:1/v1", "--context-range", "8192:256" }, "--context-range '8192:256' is not MIN:MAX")]
    public async Task Usage_mistakes_exit_2_with_what_to_do(string[] args, string message)
    {
        using var cli = new CliHarness();

        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync(args));

        Assert.Contains(message, cli.Err);
    }

    [Fact]
    public void A_context_range_is_split_into_geometric_steps_as_seed_000s()
    {
        Assert.Equal([256, 420, 689, 1131, 1855, 3043, 4993, 8192], Commands.BenchCommand.GeometricSteps(256, 8192, 8));
    }
}
