using System.Text.Json.Nodes;
using Llmctl.Infra.Cli;

namespace Llmctl.Infra.Tests;

/// <summary>Policies as a user meets them: the summary on every preview, exit 5, `up` stopping first, levels in the stack file, `policy ls`.</summary>
public class PolicyVerbTests
{
    private const string FastActive = "      - name: qwen36-35b-gguf-fast\n        runtime: llamacpp\n        active: true\n";

    /// <summary>Activates qwen36-27b-deep beside the fast lane: a well-formed file that breaks one-active-lane.</summary>
    private static void TwoActive(CliHarness cli) =>
        cli.EditStackFile("      - name: qwen36-27b-deep\n        runtime: llamacpp\n        active: false\n", "      - name: qwen36-27b-deep\n        runtime: llamacpp\n        active: true\n");

    [Fact]
    public async Task A_clean_preview_lists_the_policies_it_ran()
    {
        using var cli = new CliHarness();

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "-s", "homelab"));

        // Advisory: the sample lock (6 lanes), the 5 releases not rendered here, the 4 chart images no public digest could
        // be verified for (docs/chart-images.md), and the 4 lanes vram-fit cannot estimate (no facts in the sample lock).
        Assert.Contains("Policies:\n    llmctl-platform v0.2.0  14 policies run, 10 passed, 19 advisory violations\n", cli.Out.ReplaceLineEndings("\n"));
        Assert.Contains("[advisory]  llmctl-platform v0.2.0  model-locks", cli.Out);
        Assert.Contains("[advisory]  llmctl-platform v0.2.0  chart-images-pinned", cli.Out);
    }

    [Fact]
    public async Task Two_active_lanes_on_one_GPU_exit_5_under_Policy_Violations_and_up_changes_nothing()
    {
        using var cli = new CliHarness();
        TwoActive(cli);

        Assert.Equal(ExitCodes.PolicyViolation, await cli.RunAsync("preview", "-s", "homelab"));
        Assert.Contains("Policy Violations:", cli.Out);
        Assert.Contains("[mandatory]  llmctl-platform v0.2.0  one-active-lane", cli.Out);
        Assert.Contains("mandatory violation", cli.Out);

        Assert.Equal(ExitCodes.PolicyViolation, await cli.RunAsync("up", "--yes", "-s", "homelab"));
        Assert.Empty(cli.Provider.Calls);
        Assert.False(File.Exists(cli.CheckpointPath), "a blocked up must not write state");
    }

    [Fact]
    public async Task The_stack_file_can_make_a_policy_advisory_and_the_preview_passes()
    {
        using var cli = new CliHarness();
        TwoActive(cli);
        cli.EditStackFile("    all: mandatory\n", "    all: mandatory\n    one-active-lane: advisory\n    node-budget:\n      level: advisory\n      warnPercent: 95\n    alias-backends: advisory\n");

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "-s", "homelab"));
        Assert.Contains("[advisory]  llmctl-platform v0.2.0  one-active-lane", cli.Out);
    }

    [Theory]
    [InlineData("    one-active-lane: sometimes\n", 22, "llmctl:policies.one-active-lane: 'sometimes' is not an enforcement level — use advisory, mandatory or disabled")]
    [InlineData("    one-actve-lane: advisory\n", 21, "llmctl:policies.one-actve-lane: there is no policy 'one-actve-lane'")]
    [InlineData("    node-budget: {warnPercent: 150}\n", 32, "llmctl:policies.node-budget.warnPercent: '150' is not a percentage between 1 and 100")]
    [InlineData("    known-broken: {allow: true}\n", 27, "llmctl:policies.known-broken.allow: policy 'known-broken' takes no options")]
    public async Task A_bad_policy_setting_is_a_configuration_error_at_its_line_and_column(string line, int column, string expected)
    {
        using var cli = new CliHarness();
        cli.EditStackFile("    all: mandatory\n", "    all: mandatory\n" + line);
        var at = File.ReadAllLines(cli.StackFile).ToList().IndexOf(line.TrimEnd('\n')) + 1;

        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("preview", "-s", "homelab"));
        Assert.Contains($"Pulumi.homelab.yaml:{at}:{column}: {expected}", cli.Err);
    }

    [Fact]
    public async Task Preview_json_carries_the_violations_and_every_policy_with_its_result()
    {
        using var cli = new CliHarness();
        TwoActive(cli);

        Assert.Equal(ExitCodes.PolicyViolation, await cli.RunAsync("preview", "--json", "-s", "homelab"));

        var json = JsonNode.Parse(cli.Out)!;
        Assert.Contains(json["policyViolations"]!.AsArray(), v => v!["policyName"]!.GetValue<string>() == "one-active-lane" && v["enforcementLevel"]!.GetValue<string>() == "mandatory");
        var policies = json["policyPacks"]![0]!["policies"]!.AsArray();
        Assert.Equal(14, policies.Count);
        Assert.Equal("mandatory", policies.Single(p => p!["name"]!.GetValue<string>() == "one-active-lane")!["result"]!.GetValue<string>());
        Assert.Equal("passed", policies.Single(p => p!["name"]!.GetValue<string>() == "known-broken")!["result"]!.GetValue<string>());
    }

    [Fact]
    public async Task Policy_ls_lists_each_policy_with_the_level_the_stack_gives_it()
    {
        using var cli = new CliHarness();

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("policy", "ls", "-s", "homelab"));

        var lines = cli.Out.ReplaceLineEndings("\n").Split('\n');
        Assert.Equal("llmctl-platform v0.2.0 (stack homelab)", lines[0]);
        Assert.Contains(lines, l => l.TrimStart().StartsWith("model-locks", StringComparison.Ordinal) && l.Contains(" mandatory ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.TrimStart().StartsWith("vram-fit", StringComparison.Ordinal) && l.Contains(" mandatory ", StringComparison.Ordinal) && l.Contains(" stack ", StringComparison.Ordinal)
            && l.Contains("with a 1024 MiB margin", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.TrimStart().StartsWith("maintenance-window", StringComparison.Ordinal) && l.Contains(" mandatory ", StringComparison.Ordinal) && l.Contains(" plan ", StringComparison.Ordinal));
        Assert.Equal(14, lines.Count(l => l.StartsWith("    ", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("cpu40", "node-budget", "node 'gpu-worker': cpu requests ")]
    [InlineData("nvfp4", "known-broken", "lane 'qwen36-nvfp4-experiment' is marked broken")]
    [InlineData("unpinned", "pinned-digests", "'vllm/vllm-openai:v0.27.1', which is not pinned by digest")]
    [InlineData("million-ctx", "vram-fit", "lane 'qwen36-35b-gguf-fast' does not fit: it needs ")]
    public async Task Each_bad_stack_of_the_issue_is_stopped_by_a_named_policy_with_exit_5_or_allowed_as_advisory(string bad, string policy, string message)
    {
        using var cli = new CliHarness();
        switch (bad)
        {
            case "cpu40":
                cli.EditStackFile("        alias: qwen36-35b-gguf-fast # seed 002: the pod command's --alias is the lane name\n        ctxSize: 49152\n        cacheTypeK: q8_0\n        cacheTypeV: q8_0\n        parallel: 1\n        resources:\n          requests:\n            cpu: \"8\"\n            memory: 32Gi\n          limits:\n            cpu: \"14\"\n",
                    "        alias: qwen36-35b-gguf-fast\n        ctxSize: 49152\n        cacheTypeK: q8_0\n        cacheTypeV: q8_0\n        parallel: 1\n        resources:\n          requests:\n            cpu: \"40\"\n            memory: 32Gi\n          limits:\n            cpu: \"40\"\n");
                break;
            case "nvfp4":
                // The switch a user might make by hand: the broken lane active, the serving lane parked, the lane in the aliases.
                cli.EditStackFile("      - name: qwen36-nvfp4-experiment\n        runtime: vllm\n        active: false\n", "      - name: qwen36-nvfp4-experiment\n        runtime: vllm\n        active: true\n");
                cli.EditStackFile(FastActive, FastActive.Replace("active: true", "active: false", StringComparison.Ordinal));
                cli.EditStackFile("      - name: fast\n        lanes: [", "      - name: fast\n        lanes: [qwen36-nvfp4-experiment, ");
                cli.EditStackFile("      - name: chat\n        lanes: [", "      - name: chat\n        lanes: [qwen36-nvfp4-experiment, ");
                cli.EditStackFile("      - name: agent\n        lanes: [", "      - name: agent\n        lanes: [qwen36-nvfp4-experiment, ");
                break;
            case "million-ctx":
                cli.EditStackFile("        ctxSize: 49152\n", "        ctxSize: 1048576\n");
                break;
            case "unpinned":
                cli.EditStackFile("image: vllm/vllm-openai@sha256:0a51ea5b4ae2dc5d81890e5173f54203d2a3ae0cfffe51b8fd2afd4391bfd967", "image: vllm/vllm-openai:v0.27.1");
                break;
        }

        Assert.Equal(ExitCodes.PolicyViolation, await cli.RunAsync("preview", "-s", "homelab"));
        Assert.Contains($"[mandatory]  llmctl-platform v0.2.0  {policy}", cli.Out);
        Assert.Contains(message, cli.Out);
        var mandatory = cli.Out.Split('\n').Where(l => l.Contains("[mandatory]", StringComparison.Ordinal)).ToList();
        Assert.All(mandatory, l => Assert.Contains(policy, l));

        cli.EditStackFile("    all: mandatory\n", $"    all: mandatory\n    {policy}: advisory\n");
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "-s", "homelab"));
        Assert.Contains($"[advisory]  llmctl-platform v0.2.0  {policy}", cli.Out);
    }
}
