using System.Text.Json.Nodes;
using Llmctl.Infra.Cli;
using Llmctl.Testing;

namespace Llmctl.Infra.Tests;

/// <summary>`llmctl preflight` on the homelab: seed 002's output and its three exit codes.</summary>
public class PreflightTests
{
    /// <summary>The homelab made fully ready for the fast lane: locked files, the prefetch on, and its acceptance evidence.</summary>
    internal static void MakeFastLaneReady(CliHarness cli)
    {
        File.WriteAllText(Path.Combine(cli.Directory, "models.lock.yaml"), LockedSample.Text());
        cli.EditStackFile("    namespace: llm\n", "    namespace: llm\n    prefetch:\n      image: docker.io/curlimages/curl:8.11.1@sha256:" + new string('a', 64) + "\n");
        Directory.CreateDirectory(Path.Combine(cli.Directory, "evidence", "homelab"));
        File.Copy(RepoFiles.Path("evidence", "homelab", "qwen36-35b-gguf-fast.yaml"), Path.Combine(cli.Directory, "evidence", "homelab", "qwen36-35b-gguf-fast.yaml"));
    }

    [Fact]
    public async Task A_lane_that_is_locked_prefetched_and_measured_passes_with_exit_0()
    {
        using var cli = new CliHarness();
        MakeFastLaneReady(cli);

        Assert.Equal(0, await cli.RunAsync("preflight", "qwen36-35b-gguf-fast", "-s", "homelab"));

        var output = cli.Out.ReplaceLineEndings("\n");
        Assert.StartsWith("GPU fit preflight: PASS qwen36-35b-gguf-fast\ngpu: NVIDIA RTX PRO 4000 Blackwell SFF Edition, total=24467MiB\nlane: qwen36-35b-gguf-fast, runtime=llamacpp\n", output);
        Assert.Contains("  [PASS] model_lock: model file is locked with sha256 and sizeBytes\n", output);
        Assert.Contains("  [PASS] prefetch_config: model file is listed in the node's prefetch\n", output);
        Assert.Contains("  [PASS] validated_live_peak: lane has acceptance evidence on this GPU (peak 21648 MiB of 24467 MiB), recorded 2026-06\n", output);
        Assert.EndsWith("decision: PASS\n", output);
    }

    [Fact]
    public async Task The_sample_lock_makes_the_shipped_fast_lane_warn_with_exit_10()
    {
        using var cli = new CliHarness();

        Assert.Equal(10, await cli.RunAsync("preflight", "qwen36-35b-gguf-fast", "-s", "homelab"));

        Assert.Contains("  [WARN] model_lock: lane 'qwen36-35b-gguf-fast': model 'qwen36-35b-a3b-ud-q4-k-m'", cli.Out);
        Assert.Contains("decision: WARN; a switch needs --force", cli.Out);
    }

    [Fact]
    public async Task The_known_broken_NVFP4_lane_blocks_with_exit_20_and_json_says_why()
    {
        using var cli = new CliHarness();

        Assert.Equal(20, await cli.RunAsync("preflight", "qwen36-nvfp4-experiment", "-s", "homelab"));
        Assert.Contains("[BLOCK] known_broken: lane 'qwen36-nvfp4-experiment' is marked broken: vLLM rejects this checkpoint with an lm_head.input_scale", cli.Out);
        Assert.Contains("decision: BLOCK; do not scale the GPU lane.", cli.Out);

        Assert.Equal(20, await cli.RunAsync("preflight", "qwen36-nvfp4-experiment", "-s", "homelab", "--json"));
        var json = JsonNode.Parse(cli.Out)!;
        Assert.Equal(("BLOCK", 20), (json["decision"]!.GetValue<string>(), json["exitCode"]!.GetValue<int>()));
        Assert.Contains(json["checks"]!.AsArray(), c => c!["id"]!.GetValue<string>() == "known_broken" && c["status"]!.GetValue<string>() == "BLOCK");
    }

    [Fact]
    public async Task A_lane_that_would_overbook_the_node_is_blocked_by_node_budget()
    {
        using var cli = new CliHarness();
        cli.EditStackFile("        alias: qwen36-27b-deep\n        ctxSize: 32768 # not given by the seed for parked lanes: measure the fit before activating\n        cacheTypeK: q8_0\n        cacheTypeV: q8_0\n        parallel: 1\n        resources:\n          requests:\n            cpu: \"8\"\n            memory: 32Gi\n          limits:\n            cpu: \"14\"\n",
            "        alias: qwen36-27b-deep\n        ctxSize: 32768\n        cacheTypeK: q8_0\n        cacheTypeV: q8_0\n        parallel: 1\n        resources:\n          requests:\n            cpu: \"40\"\n            memory: 32Gi\n          limits:\n            cpu: \"40\"\n");

        Assert.Equal(20, await cli.RunAsync("preflight", "qwen36-27b-deep", "-s", "homelab"));
        Assert.Contains("[BLOCK] node_budget: node 'gpu-worker': cpu requests ", cli.Out);
    }

    [Fact]
    public async Task An_unknown_lane_is_a_usage_error_naming_the_lanes()
    {
        using var cli = new CliHarness();

        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("preflight", "qwen-typo", "-s", "homelab"));
        Assert.Contains("no lane named 'qwen-typo'; the stack's lanes are: qwen36-35b-gguf-fast,", cli.Err);
    }
}
