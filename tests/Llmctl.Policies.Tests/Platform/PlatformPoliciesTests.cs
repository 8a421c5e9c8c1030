using k8s.Models;
using Llmctl.Components.Gpu;
using Llmctl.Components.Kubernetes;
using Llmctl.Components.Models;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Policy;
using Llmctl.Policies.Platform;

namespace Llmctl.Policies.Tests.Platform;

/// <summary>Each policy of the pack on the real homelab and fleet stacks: clean as shipped, then one violation injected at a time.</summary>
public sealed class PlatformPoliciesTests
{
    private const string Fast = "qwen36-35b-gguf-fast";
    private static readonly PolicyRunner Runner = new([new LlmctlPlatformPack()]);

    private static KubernetesObject<V1Deployment> Lane(StackContext ctx, string name) =>
        ctx.Resources.OfType<KubernetesObject<V1Deployment>>().Single(d => d.Name == name);

    /// <summary>
    /// The violations, after the samples' expected advisory findings are set aside: model-locks (the sample lock) and
    /// chart-images-pinned (the chart images no public digest could be verified for, docs/chart-images.md).
    /// </summary>
    private static List<Violation> Run(StackContext stack, Plan? plan = null) =>
        Runner.Run(stack, plan).Where(v => v.PolicyName is not (ModelLocks.PolicyName or Llmctl.Policies.Charts.ChartImagesPinned.PolicyName)).ToList();

    [Fact]
    public void The_homelab_as_shipped_breaks_no_policy_but_warns_about_the_sample_lock_and_the_unverifiable_chart_images()
    {
        var violations = Runner.Run(RealStacks.Homelab());

        Assert.All(violations, v => Assert.Contains(v.PolicyName, (string[])[ModelLocks.PolicyName, Llmctl.Policies.Charts.ChartImagesPinned.PolicyName]));
        Assert.All(violations, v => Assert.Equal(EnforcementLevel.Advisory, v.Enforcement));
        Assert.All(violations.Where(v => v.PolicyName == ModelLocks.PolicyName),
            v => Assert.Contains("(models.lock.yaml is a SAMPLE: the repository's example lock; nobody has downloaded these files to hash them;", v.Message, StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Message.Contains("'qwen36-35b-a3b-ud-q4-k-m' (Qwen3.6-35B-A3B-UD-Q4_K_M.gguf) has no sha256 and no sizeBytes", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Message.Contains($"runs '{Components.Helm.ChartImages.NodeFeatureDiscovery.Unpinned}' without a digest", StringComparison.Ordinal));
        Assert.DoesNotContain("model-locks: advisory", File.ReadAllText(Testing.RepoFiles.Path("Pulumi.homelab.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public void With_a_real_lock_the_same_unlocked_entries_and_unlisted_models_block()
    {
        var realLock = File.ReadAllText(Testing.RepoFiles.Path("models.lock.yaml")).Once("sample: \"the repository's example lock; nobody has downloaded these files to hash them\"\n", "");

        var violations = Runner.Run(RealStacks.Homelab(lockText: realLock));

        Assert.Equal(6, violations.Count(v => v.PolicyName == ModelLocks.PolicyName && v.Enforcement == EnforcementLevel.Mandatory));
        Assert.DoesNotContain(violations, v => v.Message.Contains("SAMPLE", StringComparison.Ordinal));
    }

    [Fact]
    public void The_fleet_as_shipped_breaks_no_policy_but_names_the_unverifiable_chart_images()
    {
        var violations = Runner.Run(RealStacks.Fleet());

        Assert.NotEmpty(violations);
        Assert.All(violations, v => Assert.Equal((Llmctl.Policies.Charts.ChartImagesPinned.PolicyName, EnforcementLevel.Advisory), (v.PolicyName, v.Enforcement)));
    }

    [Fact]
    public void With_every_model_locked_and_prefetched_model_locks_is_quiet_for_the_locked_lanes()
    {
        var stack = RealStacks.Homelab(
            text => text.Once("    namespace: llm\n", "    namespace: llm\n    prefetch:\n      image: docker.io/curlimages/curl:8.11.1@sha256:" + new string('a', 64) + "\n")
                .Once("      - name: gpt-oss-agent\n", "      - name: gpt-oss-agent\n        broken: \"not locked yet\"\n"),
            lockText: Testing.LockedSample.Text());

        var locks = Runner.Run(stack).Where(v => v.PolicyName == ModelLocks.PolicyName).Select(v => v.Urn!.Value.Name).ToList();

        // gpt-oss-agent and the two vLLM lanes name no lock entry; every llama.cpp lane with a locked file is clean.
        Assert.Equal(["gpt-oss-agent", "qwen36-nvfp4-experiment", "vllm-rollback"], locks.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_locked_model_missing_from_the_prefetch_list_is_named()
    {
        var stack = RealStacks.Homelab(lockText: Testing.LockedSample.Text());

        var violation = Assert.Single(Runner.Run(stack), v => v.Urn == Lane(stack, Fast).Urn);

        Assert.Contains("is not prefetched: node 'gpu-worker' has no prefetch Job", violation.Message);
    }

    [Fact]
    public void An_image_customized_to_a_bare_tag_breaks_pinned_digests()
    {
        var stack = RealStacks.Homelab(after: ctx => Lane(ctx, Fast).Customize(d => d.Spec.Template.Spec.Containers[0].Image = "ghcr.io/ggml-org/llama.cpp:server-cuda"));

        var violation = Assert.Single(Run(stack));

        Assert.Equal((PinnedDigests.PolicyName, EnforcementLevel.Mandatory), (violation.PolicyName, violation.Enforcement));
        Assert.Contains("'ghcr.io/ggml-org/llama.cpp:server-cuda', which is not pinned by digest", violation.Message);
    }

    [Fact]
    public void An_unpinned_lane_image_in_the_stack_file_composes_and_is_stopped_by_pinned_digests_not_validation()
    {
        var stack = RealStacks.Homelab(text => text.Once(
            "image: vllm/vllm-openai@sha256:b0501f99fec5136f248f78d5850977a2ec32d55cd9a665f4a9ffef24cbdf7fe5", "image: vllm/vllm-openai:latest"));

        var violation = Assert.Single(Run(stack));

        Assert.Equal(PinnedDigests.PolicyName, violation.PolicyName);
        Assert.Contains("Deployment 'vllm-rollback'", violation.Message);
    }

    [Fact]
    public void Pinned_digests_reads_any_object_with_a_pod_template_the_way_chart_rendered_children_arrive()
    {
        var stack = RealStacks.Homelab(after: _ => new KubernetesObject<V1StatefulSet>("rendered-child", new V1StatefulSet
        {
            Metadata = new V1ObjectMeta { Name = "rendered-child", NamespaceProperty = "monitoring" },
            Spec = new V1StatefulSetSpec
            {
                Template = new V1PodTemplateSpec { Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "quay.io/prometheus/prometheus:v3.0.0" }] } },
            },
        }));

        var violation = Assert.Single(Run(stack));

        Assert.Contains("StatefulSet 'rendered-child' container 'c' runs 'quay.io/prometheus/prometheus:v3.0.0'", violation.Message);
    }

    [Fact]
    public void Any_kind_with_a_pod_template_is_read_from_its_json_and_checked_by_every_workload_policy()
    {
        var stack = RealStacks.Homelab(after: _ => new CustomResource("kubernetes:argoproj.io/v1alpha1:Rollout", "canary", new System.Text.Json.Nodes.JsonObject
        {
            ["apiVersion"] = "argoproj.io/v1alpha1",
            ["kind"] = "Rollout",
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "canary", ["namespace"] = "llm" },
            ["spec"] = new System.Text.Json.Nodes.JsonObject
            {
                ["replicas"] = 1,
                ["template"] = new System.Text.Json.Nodes.JsonObject
                {
                    ["spec"] = new System.Text.Json.Nodes.JsonObject
                    {
                        ["containers"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject
                        {
                            ["name"] = "server",
                            ["image"] = "vllm/vllm-openai:latest",
                            ["resources"] = new System.Text.Json.Nodes.JsonObject { ["limits"] = new System.Text.Json.Nodes.JsonObject { ["nvidia.com/gpu"] = "1" } },
                        }),
                    },
                },
            },
        }));

        var violations = Run(stack);

        Assert.Contains(violations, v => v.PolicyName == PinnedDigests.PolicyName && v.Message.Contains("Rollout 'canary' container 'server' runs 'vllm/vllm-openai:latest'", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.PolicyName == GpuContract.PolicyName && v.Message.Contains("Rollout 'canary' uses nvidia.com/gpu but sets no runtimeClassName", StringComparison.Ordinal));
    }

    [Fact]
    public void A_chart_version_range_breaks_pinned_digests()
    {
        var stack = RealStacks.Homelab(after: ctx => ((CustomResource)ctx.Resources.Single(r => r.Type.EndsWith(":HelmChart", StringComparison.Ordinal) && r.Name == "litellm"))
            .Inputs["spec"]!["version"] = "^0.1.0");

        var violation = Assert.Single(Run(stack));

        Assert.Contains("at '^0.1.0', which is not one exact version", violation.Message);
    }

    [Theory]
    [InlineData("toleration", "does not tolerate workload.ai/dedicated=gpu:NoSchedule")]
    [InlineData("runtimeClass", "sets no runtimeClassName")]
    [InlineData("strategy", "set strategy.type: Recreate")]
    [InlineData("limit", "requests nvidia.com/gpu: 1 but limits it to 2")]
    [InlineData("selector", "add nodeSelector workload.ai/gpu: \"true\"")]
    public void Each_part_of_the_GPU_contract_broken_alone_is_named(string broken, string expected)
    {
        var stack = RealStacks.Homelab(after: ctx => Lane(ctx, Fast).Customize(d =>
        {
            var pod = d.Spec.Template.Spec;
            switch (broken)
            {
                case "toleration": pod.Tolerations = []; break;
                case "runtimeClass": pod.RuntimeClassName = null; break;
                case "strategy": d.Spec.Strategy = new V1DeploymentStrategy { Type = "RollingUpdate" }; break;
                case "limit": pod.Containers[0].Resources.Limits["nvidia.com/gpu"] = new ResourceQuantity("2"); break;
                case "selector": pod.NodeSelector.Remove(GpuLabels.Gpu); break;
            }
        }));

        var violations = Run(stack);

        Assert.All(violations, v => Assert.Equal(GpuContract.PolicyName, v.PolicyName));
        Assert.Contains(violations, v => v.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Two_active_lanes_on_one_GPU_load_and_are_stopped_by_one_active_lane()
    {
        var stack = RealStacks.Homelab(text => text.Once("        alias: qwen36-27b-deep\n", "        alias: qwen36-27b-deep\n        active: true\n")
            .Once("      - name: qwen36-27b-deep\n        runtime: llamacpp\n        active: false\n", "      - name: qwen36-27b-deep\n        runtime: llamacpp\n"));

        var violations = Run(stack);
        var violation = Assert.Single(violations, v => v.PolicyName == OneActiveLane.PolicyName);

        // The second running lane also overbooks the node and makes the aliases ambiguous; nothing else fires.
        Assert.All(violations, v => Assert.Contains(v.PolicyName, new[] { OneActiveLane.PolicyName, NodeBudget.PolicyName, AliasBackends.PolicyName }));
        Assert.Contains("node 'gpu-worker' has 1 GPU but its running lanes ask for 2: qwen36-35b-gguf-fast, qwen36-27b-deep", violation.Message);
        Assert.Contains("llmctl switch <lane>", violation.Message);
    }

    [Fact]
    public void Requests_of_40_CPUs_on_the_15_CPU_node_break_node_budget()
    {
        var stack = RealStacks.Homelab(after: ctx => Lane(ctx, Fast).Customize(d => d.Spec.Template.Spec.Containers[0].Resources.Requests["cpu"] = new ResourceQuantity("40")));

        var violation = Assert.Single(Run(stack));

        Assert.Equal((NodeBudget.PolicyName, EnforcementLevel.Mandatory), (violation.PolicyName, violation.Enforcement));
        Assert.StartsWith("node 'gpu-worker': cpu requests ", violation.Message, StringComparison.Ordinal);
        Assert.Contains("of 15 allocatable", violation.Message);
        Assert.Contains("Deployment 'qwen36-35b-gguf-fast' 40", violation.Message);
    }

    [Fact]
    public void Requests_above_90_percent_of_the_node_only_warn()
    {
        var stack = RealStacks.Homelab(after: ctx => Lane(ctx, Fast).Customize(d => d.Spec.Template.Spec.Containers[0].Resources.Requests["memory"] = new ResourceQuantity("52Gi")));

        var violation = Assert.Single(Run(stack));

        Assert.Equal((NodeBudget.PolicyName, EnforcementLevel.Advisory), (violation.PolicyName, violation.Enforcement));
        Assert.Contains("above 90%", violation.Message);
    }

    [Fact]
    public void A_device_plugin_update_and_a_model_runtime_update_in_one_plan_break_maintenance_window()
    {
        var stack = RealStacks.Homelab();
        var plugin = stack.Resources.Single(r => r.Type.EndsWith(":HelmChart", StringComparison.Ordinal) && r.Annotations.Find<DevicePluginRelease>() is not null);
        var lane = Lane(stack, Fast);
        Plan PlanOf(params Resource[] updated) => new()
        {
            Project = "llm-platform",
            Stack = "homelab",
            Steps = updated.Select(r => new Step { Op = StepOp.Update, Urn = r.Urn, Type = r.Type }).ToList(),
        };

        var violation = Assert.Single(Runner.Run(stack, PlanOf(plugin, lane)), v => v.PolicyName == MaintenanceWindow.PolicyName);
        Assert.Contains("changes the GPU plumbing (update nvidia-device-plugin) and a GPU model runtime (update qwen36-35b-gguf-fast) together", violation.Message);
        Assert.DoesNotContain(Runner.Run(stack, PlanOf(plugin)), v => v.PolicyName == MaintenanceWindow.PolicyName);
        Assert.DoesNotContain(Runner.Run(stack, PlanOf(lane)), v => v.PolicyName == MaintenanceWindow.PolicyName);

        var allowed = new PolicyRunner([new LlmctlPlatformPack()], new PolicySettings
        {
            Policies = new Dictionary<string, (EnforcementLevel?, System.Text.Json.Nodes.JsonObject?)>
            {
                [MaintenanceWindow.PolicyName] = (null, new System.Text.Json.Nodes.JsonObject { ["allowCombinedChanges"] = true }),
            },
        });
        Assert.DoesNotContain(allowed.Run(stack, PlanOf(plugin, lane)), v => v.PolicyName == MaintenanceWindow.PolicyName);
    }

    [Fact]
    public void A_lane_the_stack_marks_broken_cannot_be_active()
    {
        var stack = RealStacks.Homelab(text => text.Once("        modelRef: qwen36-35b-a3b-ud-q4-k-m # models.lock.yaml",
            "        broken: \"crashes on load\"\n        modelRef: qwen36-35b-a3b-ud-q4-k-m # models.lock.yaml"));

        var violation = Assert.Single(Run(stack));

        Assert.Equal(Policies.Platform.KnownBroken.PolicyName, violation.PolicyName);
        Assert.Contains("lane 'qwen36-35b-gguf-fast' is marked broken: crashes on load", violation.Message);
    }

    [Fact]
    public void The_shipped_NVFP4_lane_is_marked_broken_and_parked()
    {
        var nvfp4 = Lane(RealStacks.Homelab(), "qwen36-nvfp4-experiment");

        Assert.Contains("lm_head.input_scale", nvfp4.Annotations.Find<Components.Models.KnownBroken>()!.Reason);
        Assert.Equal(0, nvfp4.Object.Spec.Replicas);
    }

    [Theory]
    [InlineData("env")]
    [InlineData("args")]
    public void A_literal_secret_in_a_lane_breaks_no_plain_secrets(string where)
    {
        var stack = RealStacks.Homelab(after: ctx => Lane(ctx, Fast).Customize(d =>
        {
            var c = d.Spec.Template.Spec.Containers[0];
            if (where == "env") c.Env = [new V1EnvVar { Name = "HF_TOKEN", Value = "hf_abcdefghijklmnopqrstuvwxyz0123" }];
            else c.Args = [.. c.Args, "--api-key", "sk-abcdefghijklmnopqrstuvwx"];
        }));

        var violation = Assert.Single(Run(stack));

        Assert.Equal(NoPlainSecrets.PolicyName, violation.PolicyName);
        Assert.DoesNotContain("hf_abcdef", violation.Message);
        Assert.DoesNotContain("sk-abcdef", violation.Message);
    }

    [Fact]
    public void Parking_every_lane_strands_each_alias_by_name()
    {
        var stack = RealStacks.Homelab(text => text.Once("        runtime: llamacpp\n        active: true\n", "        runtime: llamacpp\n        active: false\n"));

        var violations = Run(stack);

        Assert.All(violations, v => Assert.Equal(AliasBackends.PolicyName, v.PolicyName));
        Assert.Equal(["agent", "chat", "fast"], violations.Select(v => v.Message.Split('\'')[1]).Order(StringComparer.Ordinal));
        Assert.All(violations, v => Assert.Contains("is stranded", v.Message));
    }

    [Fact]
    public void The_vLLM_rollback_lane_stands_behind_the_gateway_aliases_when_it_is_active()
    {
        var stack = RealStacks.Homelab(text => text.Once("        runtime: llamacpp\n        active: true\n", "        runtime: llamacpp\n        active: false\n")
            .Once("      - name: vllm-rollback\n        runtime: vllm\n        active: false\n", "      - name: vllm-rollback\n        runtime: vllm\n        active: true\n"));

        Assert.Empty(Run(stack));
        var gateway = stack.Resources.OfType<Components.Gateway.LiteLlmGateway>().Single();
        Assert.All(gateway.Args.Aliases, a => Assert.Contains("vllm-rollback", a.ApiBase, StringComparison.Ordinal));
    }

    [Fact]
    public void Fleet_with_an_unpinned_ollama_image_breaks_pinned_digests()
    {
        var text = File.ReadAllText(Testing.RepoFiles.Path("Pulumi.fleet.yaml"));
        var image = System.Text.RegularExpressions.Regex.Match(text, @"image: (ollama/ollama:[^@\s]+)@sha256:[0-9a-f]{64}");
        Assert.True(image.Success, "the fleet's ollama image is pinned by digest");

        var violations = Run(RealStacks.Fleet(t => t.Once(image.Value, "image: " + image.Groups[1].Value)));

        Assert.NotEmpty(violations);
        Assert.All(violations, v => Assert.Equal(PinnedDigests.PolicyName, v.PolicyName));
    }
}
