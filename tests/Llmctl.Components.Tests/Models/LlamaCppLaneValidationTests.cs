using Llmctl.Components.Images;
using Llmctl.Components.Models;
using Llmctl.Engine.Config;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Tests.Models;

public sealed class LlamaCppLaneValidationTests
{
    private static readonly LlamaCppLaneArgs Valid = new()
    {
        Namespace = "llm",
        Image = ImageRef.Parse("ghcr.io/ggml-org/llama.cpp:server-cuda@sha256:1111111111111111111111111111111111111111111111111111111111111111"),
        ModelFile = "Qwen3.6-35B-A3B-UD-Q4_K_M.gguf",
        CtxSize = 49152,
        Active = true,
    };

    private static ComponentArgumentException Fails(string name, LlamaCppLaneArgs args) =>
        Assert.Throws<ComponentArgumentException>(() =>
            StackContext.Run("llm-platform", "homelab", _ => new LlamaCppLane(name, args)));

    [Fact]
    public void Valid_args_have_no_problems()
    {
        Assert.Empty(LlamaCppLane.Validate("qwen36-35b-gguf-fast", Valid));
    }

    [Fact]
    public void A_name_that_is_not_an_RFC_1035_label_names_the_rule_and_suggests_a_fix()
    {
        var ex = Fails("Qwen_Fast", Valid);

        var problem = Assert.Single(ex.Problems);
        Assert.Equal("name", problem.Argument);
        Assert.Contains("RFC 1035 label", problem.Message);
        Assert.Contains("'qwen-fast'", problem.Message);
        Assert.Contains("urn:pulumi:homelab::llm-platform::llmctl:models:LlamaCppLane::Qwen_Fast", ex.Message);
    }

    [Fact]
    public void A_namespace_that_is_not_a_DNS_1123_label_is_refused()
    {
        var problem = Assert.Single(Fails("fast", Valid with { Namespace = "LLM.Lanes" }).Problems);

        Assert.Equal("namespace", problem.Argument);
        Assert.Contains("DNS-1123 label", problem.Message);
    }

    [Fact]
    public void An_image_without_a_digest_is_well_formed_and_left_to_the_pinned_digests_policy()
    {
        Assert.Empty(LlamaCppLane.Validate("fast", Valid with { Image = ImageRef.Parse("ghcr.io/ggml-org/llama.cpp:server-cuda") }));
    }

    [Fact]
    public void A_zero_context_is_refused_because_it_makes_VRAM_use_unpredictable()
    {
        var problem = Assert.Single(Fails("fast", Valid with { CtxSize = 0 }).Problems);

        Assert.Equal("ctxSize", problem.Argument);
        Assert.Contains("must be greater than 0", problem.Message);
    }

    [Fact]
    public void A_model_path_with_directories_is_refused()
    {
        var problem = Assert.Single(Fails("fast", Valid with { ModelFile = "../etc/passwd.gguf" }).Problems);

        Assert.Equal("modelFile", problem.Argument);
    }

    [Fact]
    public void A_request_above_its_limit_is_refused()
    {
        var args = Valid with { Resources = new ComputeResources { CpuRequest = Quantity.Parse("16"), CpuLimit = Quantity.Parse("14") } };

        var problem = Assert.Single(Fails("fast", args).Problems);

        Assert.Equal("resources.requests.cpu", problem.Argument);
        Assert.Contains("more than the limit 14", problem.Message);
    }

    [Fact]
    public void Extra_args_cannot_override_a_typed_setting()
    {
        var problem = Assert.Single(Fails("fast", Valid with { ExtraArgs = ["--ctx-size", "8192"] }).Problems);

        Assert.Equal("extraArgs", problem.Argument);
        Assert.Contains("'--ctx-size'", problem.Message);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var ex = Fails("fast", Valid with { CtxSize = -1, Parallel = 0, Port = 70000 });

        Assert.Equal(["ctxSize", "parallel", "port"], ex.Problems.Select(p => p.Argument));
    }
}
