using Llmctl.Components.Gateway;
using Llmctl.Components.Gpu;
using Llmctl.Components.Models;
using Llmctl.Components.Observability;
using Llmctl.Engine.Config;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;
using Llmctl.Policies.Platform;
using Llmctl.Stacks.Compose;
using Llmctl.Stacks.Config;
using Llmctl.Testing;
using Llmctl.Fit.Lock;

namespace Llmctl.Stacks.Tests.Homelab;

/// <summary>Pulumi.homelab.yaml (seed 002) loaded from the repository and composed, the way `llmctl preview -s homelab` does.</summary>
public sealed class HomelabStackTests
{
    /// <summary>The real file with no passphrase in reach: the homelab has no secrets.</summary>
    public static StackContext Compose()
    {
        return StackPipeline.Run(RepoFiles.Root, "homelab", environment: _ => null);
    }

    [Fact]
    public void The_homelab_composes_the_gpu_plumbing_lanes_gateway_and_observability()
    {
        var ctx = Compose();

        var types = ctx.Resources.OfType<ComponentResource>().GroupBy(r => r.GetType().Name).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int>
        {
            [nameof(GpuNode)] = 1,
            [nameof(NvidiaRuntime)] = 1,
            [nameof(NvidiaDevicePlugin)] = 1,
            [nameof(NodeFeatureDiscovery)] = 1,
            [nameof(LlamaCppLane)] = 4,
            [nameof(VllmLane)] = 2,
            [nameof(LiteLlmGateway)] = 1,
            [nameof(KubePrometheusStack)] = 1,
            [nameof(DcgmExporter)] = 1,
            [nameof(LlamaCppServiceMonitor)] = 4,
            [nameof(LiteLlmServiceMonitor)] = 1,
            [nameof(PlatformAlerts)] = 1,
            [nameof(GrafanaDashboards)] = 1,
        }, types.Where(t => t.Key is not ("HelmRelease" or "StackResource")).ToDictionary());
        Assert.Empty(ctx.Resources.OfType<AmdGpuPlugin>());
        // Seed 002's vLLM lanes (the NVFP4 experiment and the rollback) are declared but parked.
        Assert.Equal(["qwen36-nvfp4-experiment", "vllm-rollback"], ctx.Resources.OfType<VllmLane>().Select(l => l.Name));
        Assert.All(ctx.Resources.OfType<VllmLane>(), l => Assert.False(l.Args.Active));
    }

    [Fact]
    public void Exactly_the_fast_lane_is_active_and_gpt_oss_agent_is_parked()
    {
        var lanes = Compose().Resources.OfType<LlamaCppLane>().ToDictionary(l => l.Name);

        Assert.Equal(["qwen36-35b-gguf-fast", "qwen36-35b-gguf-longctx", "qwen36-27b-deep", "gpt-oss-agent"], lanes.Keys);
        Assert.Equal(["qwen36-35b-gguf-fast"], lanes.Values.Where(l => l.Args.Active).Select(l => l.Name));
        Assert.False(lanes["gpt-oss-agent"].Args.Active);
    }

    [Fact]
    public void The_device_plugin_follows_seed_002_with_feature_discovery_and_no_time_slicing()
    {
        var plugin = Assert.Single(Compose().Resources.OfType<NvidiaDevicePlugin>());

        Assert.True(plugin.Args.GpuFeatureDiscovery);
        Assert.True(plugin.Args.FailOnInitError);
        Assert.Null(plugin.Args.TimeSlicing);
        Assert.Equal(NvidiaMigStrategy.None, plugin.Args.MigStrategy);
        Assert.Equal("nvidia", plugin.Args.RuntimeClassName);
    }

    [Fact]
    public void Lanes_that_name_a_model_ref_carry_the_lock_entry_from_models_lock_yaml()
    {
        var lanes = Compose().Resources.OfType<LlamaCppLane>().ToDictionary(l => l.Name);

        Assert.Equal("qwen36-35b-a3b-ud-q4-k-m", lanes["qwen36-35b-gguf-fast"].Args.Lock?.Ref);
        Assert.Equal("qwen36-27b-q4-k-m", lanes["qwen36-27b-deep"].Args.Lock?.Ref);
        Assert.Null(lanes["gpt-oss-agent"].Args.Lock);
        var locked = Assert.Single(lanes["qwen36-35b-gguf-fast"].Deployment.Annotations.OfType<LockedModels>());
        Assert.Equal(["qwen36-35b-a3b-ud-q4-k-m"], locked.Locks.Select(l => l.Ref));
    }

    [Fact]
    public void Every_alias_reaches_the_active_lane_and_there_is_no_embed_alias()
    {
        var gateway = Assert.Single(Compose().Resources.OfType<LiteLlmGateway>());

        Assert.Equal(["fast", "chat", "agent"], gateway.ModelNames);
        Assert.All(gateway.Args.Aliases, a =>
        {
            Assert.Equal("http://qwen36-35b-gguf-fast.llm.svc.cluster.local:8080/v1", a.ApiBase);
            Assert.Equal("qwen36-35b-gguf-fast", a.ServedModel);
        });
    }

    [Fact]
    public void The_gateway_reads_the_master_key_from_the_operators_secret_and_writes_none_itself()
    {
        var ctx = Compose();
        var gateway = Assert.Single(ctx.Resources.OfType<LiteLlmGateway>());

        Assert.Null(gateway.Args.MasterKey);
        Assert.Empty(gateway.Secrets);
        Assert.Equal("litellm-masterkey", gateway.Release.Args.Values["masterkeySecretName"]!.GetValue<string>());
        Assert.Equal("masterkey", gateway.Release.Args.Values["masterkeySecretKey"]!.GetValue<string>());
        var monitor = Assert.Single(ctx.Resources.OfType<LiteLlmServiceMonitor>());
        Assert.Equal(new SecretKey("litellm-masterkey", "masterkey"), monitor.Args.BearerToken);
    }

    [Fact]
    public void The_platform_policies_report_nothing_but_the_sample_lock_s_unlocked_entries_and_the_unverifiable_chart_images()
    {
        var violations = new PolicyRunner([new LlmctlPlatformPack()]).Run(Compose());

        Assert.DoesNotContain(violations, v => v.PolicyName is not (ModelLocks.PolicyName or Llmctl.Policies.Charts.ChartImagesPinned.PolicyName));
    }

    [Fact]
    public void A_model_ref_that_is_not_in_the_lock_file_names_the_key_and_the_known_refs()
    {
        var config = HomelabConfigs.Homelab() with
        {
            Lanes = new LanesConfig { Items = [HomelabConfigs.Fast with { ModelRef = "qwen36-35b-typo" }] },
        };
        var locks = ModelLockFile.Load(Path.Combine(RepoFiles.Root, ModelLockFile.DefaultFileName));

        var ex = Assert.Throws<StackCompositionException>(() =>
            StackPipeline.Compose("llm-platform", "homelab", config, locks: locks));

        Assert.Contains("lanes.items[0].modelRef", ex.Message, StringComparison.Ordinal);
        Assert.Contains("qwen36-35b-a3b-ud-q4-k-m", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vllm_lane_composes_into_a_vllm_lane_with_its_served_name()
    {
        var config = HomelabConfigs.Homelab() with
        {
            Lanes = new LanesConfig
            {
                Items =
                [
                    HomelabConfigs.Fast,
                    new LaneConfig
                    {
                        Name = "qwen36-nvfp4-experiment",
                        Runtime = LaneRuntime.Vllm,
                        Node = "gpu-worker",
                        Image = "docker.io/vllm/vllm-openai:v0.0.0@" + HomelabConfigs.Digest,
                        Model = "/models/qwen36-nvfp4",
                        Alias = "qwen36-nvfp4",
                        CtxSize = 32768,
                        GpuMemoryUtilization = 0.85,
                    },
                ],
            },
        };

        var ctx = StackPipeline.Compose("llm-platform", "homelab", config);

        var lane = Assert.Single(ctx.Resources.OfType<VllmLane>());
        Assert.False(lane.Args.Active);
        Assert.Equal(32768, lane.Args.MaxModelLen);
        Assert.Equal(0.85, lane.Args.GpuMemoryUtilization);
        Assert.Equal("qwen36-nvfp4", lane.ServedModelName);
        Assert.Equal("nvidia", lane.Args.RuntimeClassName);
    }
}
