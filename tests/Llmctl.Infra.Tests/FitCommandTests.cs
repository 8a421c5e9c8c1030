using System.Text.Json.Nodes;
using Llmctl.Infra.Cli;
using Llmctl.Testing;

namespace Llmctl.Infra.Tests;

/// <summary>
/// <c>llmctl fit</c> on the homelab stack (seed 002's acceptance evidence from the lock entry alone), on the test stacks
/// of FitStacks/ (a 48 GB card and a two-GPU box described in YAML alone; the too-big stacks of issue 11), and with
/// explicit --model settings.
/// </summary>
public sealed class FitCommandTests
{
    private static CliHarness WithTestStacks()
    {
        var cli = new CliHarness();
        foreach (var stack in new[] { "bigcard", "twogpu", "toobig" })
        {
            File.Copy(RepoFiles.Path("tests", "Llmctl.Infra.Tests", "FitStacks", $"Pulumi.{stack}.yaml"), Path.Combine(cli.Directory, $"Pulumi.{stack}.yaml"));
        }
        File.AppendAllText(Path.Combine(cli.Directory, "models.lock.yaml"),
            File.ReadAllText(RepoFiles.Path("tests", "Llmctl.Infra.Tests", "FitStacks", "extra-models.lock.yaml")));
        return cli;
    }

    private static JsonObject Json(CliHarness cli) => JsonNode.Parse(cli.Out)!.AsObject();

    [Fact]
    public async Task Homelab_fast_lane_reproduces_seed_002_within_the_bar_from_the_lock_entry()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("fit", "--lane", "qwen36-35b-gguf-fast", "-s", "homelab", "--json"));
        var json = Json(cli);
        var total = json["totalMiB"]!.GetValue<double>();
        const double measured = 21648; // seed 002: live_peak_mib=21648 on the 24467 MiB card
        Assert.InRange((total - measured) / measured * 100, -3, 5);
        Assert.Equal(24467, json["budgetMiB"]!.GetValue<double>());
        Assert.Equal(510, Math.Round(json["kvMiB"]!.GetValue<double>()));
        Assert.Equal(62.8, Math.Round(json["recurrentMiB"]!.GetValue<double>(), 1));
        Assert.Equal("fits", json["verdict"]!.GetValue<string>());
        foreach (var key in new[] { "weightsGpuMiB", "weightsHostMiB", "computeMiB", "overheadMiB", "headroomMiB", "marginMiB", "parts", "devices", "gpu" })
        {
            Assert.True(json.ContainsKey(key), $"--json lacks '{key}'");
        }
        Assert.All(json["parts"]!.AsArray(), p => Assert.False(string.IsNullOrWhiteSpace(p!["rule"]!.GetValue<string>())));
    }

    [Fact]
    public async Task The_table_shows_every_number_a_bar_and_the_verdict()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("fit", "--lane", "qwen36-35b-gguf-fast", "-s", "homelab"));
        foreach (var label in new[] { "weights on GPU", "weights on host", "KV cache", "recurrent state", "compute", "overhead", "total", "budget", "headroom", "verdict: fits" })
        {
            Assert.Contains(label, cli.Out);
        }
        Assert.Matches(@"\[#+=*\+*[.|]*\] \d+\.\d % of 24467\.0 MiB", cli.Out);
    }

    [Fact]
    public async Task Max_ctx_is_a_multiple_of_256_that_fits_while_256_more_does_not()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("fit", "--lane", "qwen36-35b-gguf-fast", "-s", "homelab", "--max-ctx", "--json"));
        var max = Json(cli)["maxCtx"]!.GetValue<int>();
        Assert.Equal(0, max % 256);
        Assert.True(max > 49152, $"the seed's 49152 fits with room, so the maximum is above it, not {max}");
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("fit", "--model", "qwen36-35b-a3b-ud-q4-k-m", "--gpu", "24467", "--ctx", $"{max}", "--ctk", "q8_0", "--ctv", "q8_0", "--json"));
        Assert.Equal("fits", Json(cli)["verdict"]!.GetValue<string>());
        await cli.RunAsync("fit", "--model", "qwen36-35b-a3b-ud-q4-k-m", "--gpu", "24467", "--ctx", $"{max + 256}", "--ctk", "q8_0", "--ctv", "q8_0", "--json");
        Assert.NotEqual("fits", Json(cli)["verdict"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_gguf_file_is_read_directly_for_model()
    {
        var gguf = SharedFiles.RequirePath("upstream", "gguf", "llama-2-tiny-random.gguf");
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("fit", "--model", gguf, "--gpu", "rtx-4090", "--ctx", "2048", "--json"));
        var json = Json(cli);
        Assert.Equal("llama-2-tiny-random.gguf", json["parts"]!.AsArray()[0]!["load"]!.GetValue<string>());
        Assert.Equal("fits", json["verdict"]!.GetValue<string>());
        Assert.True(json["kvMiB"]!.GetValue<double>() > 0);
    }

    [Fact]
    public async Task Quantized_V_without_flash_attention_is_refused_not_warned()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Error, await cli.RunAsync("fit", "--model", "qwen36-35b-a3b-ud-q4-k-m", "--gpu", "rtx-4090", "--ctx", "8192", "--ctv", "q8_0", "--fa", "off"));
        Assert.Contains("verdict: refused", cli.Out);
        Assert.Contains("requires Flash Attention", cli.Out);
    }

    [Fact]
    public async Task Model_settings_with_a_lane_are_a_usage_error()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("fit", "--lane", "qwen36-35b-gguf-fast", "-s", "homelab", "--ctx", "4096"));
        Assert.Contains("go with --model", cli.Err);
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("fit", "--model", "qwen36-35b-a3b-ud-q4-k-m"));
        Assert.Contains("--model needs --gpu", cli.Err);
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("fit", "--model", "no-such-model", "--gpu", "24467"));
        Assert.Contains("not a file nor a ref", cli.Err);
    }

    [Theory]
    [InlineData("million-ctx", "KV cache")]
    [InlineData("seventy-b-q8", "weights on GPU")]
    [InlineData("sixty-four-slots", "recurrent state")]
    [InlineData("vllm-70b-fp16", "vLLM needs")]
    [InlineData("ollama-235b", "weights on GPU")]
    public async Task The_too_big_stacks_of_issue_11_do_not_fit_with_numbers(string lane, string culprit)
    {
        using var cli = WithTestStacks();
        Assert.Equal(ExitCodes.Error, await cli.RunAsync("fit", "--lane", lane, "-s", "toobig"));
        Assert.Contains("verdict: does not fit", cli.Out);
        Assert.Contains(culprit, cli.Out);
        Assert.Matches(@"total\s+\d+\.\d MiB", cli.Out);
        Assert.Matches(@"headroom\s+-\d+\.\d MiB|vLLM needs \d", cli.Out);
    }

    [Fact]
    public async Task The_235b_at_1M_is_measured_against_the_strix_halo_carve_out()
    {
        using var cli = WithTestStacks();
        await cli.RunAsync("fit", "--lane", "ollama-235b", "-s", "toobig", "--json");
        var json = Json(cli);
        Assert.Equal(94 * 1024, json["budgetMiB"]!.GetValue<double>());
        Assert.True(json["gpu"]!["unifiedMemory"]!.GetValue<bool>());
        Assert.Equal("does not fit", json["verdict"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_48_GB_card_declared_over_the_catalog_or_inline_fits_a_long_context()
    {
        using var cli = WithTestStacks();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("fit", "--lane", "qwen36-longctx", "-s", "bigcard", "--json"));
        Assert.Equal(48 * 1024, Json(cli)["budgetMiB"]!.GetValue<double>());
        Assert.Equal("fits", Json(cli)["verdict"]!.GetValue<string>());
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("fit", "--lane", "qwen36-a6000", "-s", "bigcard", "--json"));
        Assert.Equal(49140, Json(cli)["budgetMiB"]!.GetValue<double>());
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "-s", "bigcard"));
    }

    [Fact]
    public async Task Two_active_lanes_preview_on_a_two_GPU_box_described_in_YAML_alone()
    {
        using var cli = WithTestStacks();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "-s", "twogpu"));
        Assert.Contains("fast-a", cli.Out);
        Assert.Contains("fast-b", cli.Out);
        // Every active lane gets its own GPU: both are estimated alone on one 24576 MiB GPU.
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("fit", "-s", "twogpu", "--json"));
        var estimates = JsonNode.Parse(cli.Out)!.AsArray();
        Assert.Equal(["fast-a on duo", "fast-b on duo"], estimates.Select(e => e!["subject"]!.GetValue<string>()));
        Assert.All(estimates, e => Assert.Equal(1, e!["gpu"]!["count"]!.GetValue<int>()));
    }

    [Fact]
    public async Task A_third_active_lane_on_the_two_GPU_box_is_blocked_by_the_one_active_lane_policy()
    {
        using var cli = WithTestStacks();
        var file = Path.Combine(cli.Directory, "Pulumi.twogpu.yaml");
        var text = File.ReadAllText(file);
        File.WriteAllText(file, text.Replace("      - name: big-split\n        runtime: llamacpp\n        active: false", "      - name: big-split\n        runtime: llamacpp\n        active: true", StringComparison.Ordinal));
        Assert.Equal(ExitCodes.PolicyViolation, await cli.RunAsync("preview", "-s", "twogpu"));
        Assert.Contains("node 'duo' has 2 GPUs but its running lanes ask for 4", cli.Out + cli.Err);
    }

    [Fact]
    public async Task A_tensor_split_lane_spreads_weights_and_KV_over_both_GPUs()
    {
        using var cli = WithTestStacks();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("fit", "--lane", "big-split", "-s", "twogpu", "--json"));
        var json = Json(cli);
        var devices = json["devices"]!.AsArray();
        Assert.Equal(2, devices.Count);
        var kvPerDevice = json["parts"]!.AsArray().Where(p => p!["kind"]!.GetValue<string>() == "kv").Select(p => p!["mib"]!.GetValue<double>()).ToList();
        Assert.Equal(2, kvPerDevice.Count);
        Assert.Equal(kvPerDevice[0], kvPerDevice[1], 1); // 10 attention layers, 5 per GPU
    }

    [Fact]
    public async Task Expert_offload_and_router_presets_from_the_stack_file_reach_the_estimate()
    {
        using var cli = WithTestStacks();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("fit", "--lane", "experts-on-cpu", "-s", "twogpu", "--json"));
        var offload = Json(cli);
        Assert.Contains("--n-cpu-moe 20", offload["parts"]!.AsArray().First(p => p!["kind"]!.GetValue<string>() == "weightsGpu")!["rule"]!.GetValue<string>());
        Assert.True(offload["weightsHostMiB"]!.GetValue<double>() > 9000, "20 of 40 blocks' experts stay on the host");

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("fit", "--lane", "router", "-s", "twogpu", "--json"));
        var router = Json(cli);
        var loads = router["parts"]!.AsArray().Select(p => p!["load"]!.GetValue<string>()).Distinct().Order().ToList();
        Assert.Equal(["router/fast", "router/fast-cpu-experts"], loads); // modelsMax 2: both presets resident together
        // The two presets together leave less than the margin: one alone would fit with room.
        Assert.Equal("inside margin", router["verdict"]!.GetValue<string>());
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("fit", "--model", "qwen36-35b-a3b-ud-q4-k-m", "--gpu", "24576", "--ctx", "16384", "--json"));
        Assert.True(Json(cli)["totalMiB"]!.GetValue<double>() < router["totalMiB"]!.GetValue<double>() - 1000);
    }
}
