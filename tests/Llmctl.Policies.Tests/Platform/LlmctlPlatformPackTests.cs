using k8s.Models;
using Llmctl.Components.Kubernetes;
using Llmctl.Components.Models;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;
using Llmctl.Policies.Platform;
using Llmctl.Stacks;
using Llmctl.Stacks.Config;
using Llmctl.Stacks.Tests;

namespace Llmctl.Policies.Tests.Platform;

public sealed class LlmctlPlatformPackTests
{
    private static readonly PolicyRunner Runner = new([new LlmctlPlatformPack()]);

    private static StackContext Compose(StackConfig config, Action<StackContext>? after = null) =>
        StackContext.Run("llm-platform", "homelab", ctx =>
        {
            PlatformProgram.Compose(ctx, config);
            after?.Invoke(ctx);
        });

    private static KubernetesObject<V1Deployment> Lane(StackContext ctx, string name) =>
        ctx.Resources.OfType<KubernetesObject<V1Deployment>>().Single(d => d.Name == name);

    private static IReadOnlyList<Violation> Of(IReadOnlyList<Violation> violations, string policy) =>
        violations.Where(v => v.PolicyName == policy).ToList();

    [Fact]
    public void The_homelab_stack_passes_every_policy()
    {
        Assert.Empty(Runner.Run(Compose(HomelabConfigs.Homelab())));
    }

    [Fact]
    public void Two_active_lanes_on_one_GPU_break_one_active_lane_per_gpu()
    {
        var stack = Compose(HomelabConfigs.Homelab(HomelabConfigs.Fast, HomelabConfigs.LongCtx, HomelabConfigs.Deep with { Active = true }));

        var violation = Assert.Single(Runner.Run(stack));

        Assert.Equal((OneActiveLanePerGpu.PolicyName, EnforcementLevel.Mandatory), (violation.PolicyName, violation.Enforcement));
        Assert.Contains("node 'gpu-worker' has 1 GPU but its running lanes ask for 2: qwen36-35b-gguf-fast, qwen36-27b-deep", violation.Message);
        Assert.Contains("park the others", violation.Message);
        Assert.Equal(Lane(stack, "qwen36-27b-deep").Urn, violation.Urn);
    }

    [Fact]
    public void A_parked_lane_scaled_up_by_customization_is_caught_from_the_object_itself()
    {
        var stack = Compose(HomelabConfigs.Homelab(), ctx => Lane(ctx, "qwen36-27b-deep").Customize(d => d.Spec.Replicas = 1));

        Assert.Single(Of(Runner.Run(stack), OneActiveLanePerGpu.PolicyName));
    }

    [Fact]
    public void An_image_customized_to_a_bare_tag_breaks_image_pinned_by_digest()
    {
        var stack = Compose(HomelabConfigs.Homelab(), ctx =>
            Lane(ctx, "qwen36-35b-gguf-fast").Customize(d => d.Spec.Template.Spec.Containers[0].Image = "ghcr.io/ggml-org/llama.cpp:server-cuda"));

        var violation = Assert.Single(Runner.Run(stack));

        Assert.Equal((ImagePinnedByDigest.PolicyName, EnforcementLevel.Mandatory), (violation.PolicyName, violation.Enforcement));
        Assert.Contains("'ghcr.io/ggml-org/llama.cpp:server-cuda', which is not pinned by digest", violation.Message);
        Assert.Contains("@sha256:<digest>", violation.Message);
    }

    [Fact]
    public void The_sample_all_zero_digest_of_the_stack_file_must_be_replaced()
    {
        var lanes = new[] { HomelabConfigs.Fast, HomelabConfigs.LongCtx, HomelabConfigs.Deep }
            .Select(l => l with { Image = "ghcr.io/ggml-org/llama.cpp:server-cuda@" + ImagePinnedByDigest.SampleDigest })
            .ToArray();

        var violations = Of(Runner.Run(Compose(HomelabConfigs.Homelab(lanes))), ImagePinnedByDigest.PolicyName);

        Assert.Equal(3, violations.Count);
        Assert.All(violations, v => Assert.Contains("replace it with your pinned digest", v.Message));
    }

    [Fact]
    public void A_GPU_request_different_from_its_limit_breaks_gpu_requests_equal_limits()
    {
        var stack = Compose(HomelabConfigs.Homelab(), ctx =>
            Lane(ctx, "qwen36-35b-gguf-fast").Customize(d => d.Spec.Template.Spec.Containers[0].Resources.Requests["nvidia.com/gpu"] = new ResourceQuantity("2")));

        var violations = Of(Runner.Run(stack), GpuRequestsEqualLimits.PolicyName);

        Assert.Contains(violations, v => v.Message.Contains("requests nvidia.com/gpu: 2 but limits it to 1", StringComparison.Ordinal));
    }

    [Fact]
    public void A_GPU_workload_that_asks_for_no_GPU_breaks_gpu_requests_equal_limits()
    {
        var stack = Compose(HomelabConfigs.Homelab(), ctx =>
            Lane(ctx, "qwen36-35b-gguf-fast").Customize(d =>
            {
                d.Spec.Template.Spec.Containers[0].Resources.Requests.Remove("nvidia.com/gpu");
                d.Spec.Template.Spec.Containers[0].Resources.Limits.Remove("nvidia.com/gpu");
            }));

        var violation = Assert.Single(Runner.Run(stack));

        Assert.Equal(GpuRequestsEqualLimits.PolicyName, violation.PolicyName);
        Assert.Contains("needing 1 nvidia.com/gpu but its containers limit 0", violation.Message);
    }

    [Fact]
    public void A_GPU_pod_without_a_runtime_class_breaks_gpu_workloads_use_runtime_class()
    {
        var stack = Compose(HomelabConfigs.Homelab(), ctx =>
            Lane(ctx, "qwen36-35b-gguf-longctx").Customize(d => d.Spec.Template.Spec.RuntimeClassName = null));

        var violation = Assert.Single(Runner.Run(stack));

        Assert.Equal(GpuWorkloadsUseRuntimeClass.PolicyName, violation.PolicyName);
        Assert.Contains("set runtimeClassName: nvidia", violation.Message);
        Assert.Equal(Lane(stack, "qwen36-35b-gguf-longctx").Urn, violation.Urn);
    }

    [Fact]
    public void A_plain_Deployment_that_asks_for_an_NVIDIA_GPU_is_checked_too()
    {
        var stack = StackContext.Run("llm-platform", "homelab", _ => new KubernetesObject<V1Deployment>("cuda-job", new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "cuda-job" },
            Spec = new V1DeploymentSpec
            {
                Selector = new V1LabelSelector(),
                Template = new V1PodTemplateSpec
                {
                    Spec = new V1PodSpec
                    {
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "main",
                                Image = "nvidia/cuda:12.4.0-base-ubuntu22.04",
                                Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["nvidia.com/gpu"] = new("1") } },
                            },
                        ],
                    },
                },
            },
        }));

        var policies = Runner.Run(stack).Select(v => v.PolicyName).Order();

        Assert.Equal([GpuWorkloadsUseRuntimeClass.PolicyName, ImagePinnedByDigest.PolicyName], policies);
    }

    [Fact]
    public void A_stack_can_lower_a_policy_to_advisory()
    {
        var runner = new PolicyRunner([new LlmctlPlatformPack()],
            new Dictionary<string, EnforcementLevel> { [OneActiveLanePerGpu.PolicyName] = EnforcementLevel.Advisory });
        var stack = Compose(HomelabConfigs.Homelab(HomelabConfigs.Fast, HomelabConfigs.Deep with { Active = true }));

        Assert.Equal(EnforcementLevel.Advisory, Assert.Single(runner.Run(stack)).Enforcement);
    }

    [Fact]
    public void The_lane_annotations_policies_rely_on_are_present()
    {
        var fast = Lane(Compose(HomelabConfigs.Homelab()), "qwen36-35b-gguf-fast");

        Assert.Equal(new ServingLane("qwen36-35b-gguf-fast", ModelRuntime.LlamaCpp, "gpu-worker", true), fast.Annotations.Find<ServingLane>());
    }
}
