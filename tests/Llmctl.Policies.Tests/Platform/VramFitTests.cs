using System.Text.Json.Nodes;
using Llmctl.Engine.Policy;
using Llmctl.Policies.Platform;

namespace Llmctl.Policies.Tests.Platform;

/// <summary>
/// The vram-fit policy's decisions on the real homelab lanes, given each lane's estimate. The estimates here are stated
/// per case (the estimator itself is fit/Estimate's, tested there); what is under test is what the policy makes of them.
/// </summary>
public sealed class VramFitTests
{
    private sealed class Estimates(Dictionary<string, LaneFitVerdict> verdicts) : ILaneFitSource
    {
        public List<double> Margins { get; } = [];

        public LaneFitResult Estimate(string lane, double marginMiB)
        {
            Margins.Add(marginMiB);
            var verdict = verdicts.GetValueOrDefault(lane, LaneFitVerdict.Fits);
            return new LaneFitResult(lane, verdict, verdict == LaneFitVerdict.DoesNotFit ? 26_100 : 23_800, 24_467, marginMiB,
                "weights 19 940 MiB, KV 3 072 MiB, compute 540 MiB, overhead 560 MiB", verdict == LaneFitVerdict.Unknown ? "models.lock.yaml has no GGUF facts for 'x'" : null);
        }
    }

    private static IReadOnlyList<Violation> Run(ILaneFitSource source, PolicySettings? settings = null) =>
        new PolicyRunner([new LlmctlPlatformPack(source)], settings ?? PolicySettings.Default).Run(RealStacks.Homelab())
            .Where(v => v.PolicyName == VramFit.PolicyName).ToList();

    [Fact]
    public void The_active_lane_over_budget_blocks_and_shows_the_breakdown()
    {
        var violation = Assert.Single(Run(new Estimates(new() { ["qwen36-35b-gguf-fast"] = LaneFitVerdict.DoesNotFit })));

        Assert.Equal(EnforcementLevel.Mandatory, violation.Enforcement);
        Assert.Contains("lane 'qwen36-35b-gguf-fast' does not fit: it needs 26100 MiB of 24467 MiB (weights 19 940 MiB, KV 3 072 MiB", violation.Message);
    }

    [Fact]
    public void A_parked_lane_that_cannot_fit_is_reported_before_anyone_activates_it()
    {
        var violation = Assert.Single(Run(new Estimates(new() { ["qwen36-35b-gguf-longctx"] = LaneFitVerdict.DoesNotFit })));

        Assert.Equal(EnforcementLevel.Advisory, violation.Enforcement);
        Assert.Contains("parked lane 'qwen36-35b-gguf-longctx' does not fit", violation.Message);
        Assert.Contains("do not activate it until it fits", violation.Message);
    }

    [Fact]
    public void Inside_the_margin_warns_and_every_llama_cpp_and_vllm_lane_is_estimated_with_the_stack_s_margin()
    {
        var source = new Estimates(new() { ["qwen36-35b-gguf-fast"] = LaneFitVerdict.InsideMargin });
        var settings = new PolicySettings
        {
            Policies = new Dictionary<string, (EnforcementLevel?, JsonObject?)> { [VramFit.PolicyName] = (null, new JsonObject { ["marginMiB"] = 2048 }) },
        };

        var violation = Assert.Single(Run(source, settings));

        Assert.Equal(EnforcementLevel.Advisory, violation.Enforcement);
        Assert.Contains("leaving less than the 2048 MiB margin", violation.Message);
        Assert.Equal(6, source.Margins.Count);
        Assert.All(source.Margins, m => Assert.Equal(2048, m));
    }

    [Fact]
    public void A_lane_without_facts_to_estimate_says_why()
    {
        var violation = Assert.Single(Run(new Estimates(new() { ["gpt-oss-agent"] = LaneFitVerdict.Unknown })));

        Assert.Contains("lane 'gpt-oss-agent' cannot be estimated: models.lock.yaml has no GGUF facts", violation.Message);
    }
}
