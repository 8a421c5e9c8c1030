using k8s.Models;
using Llmctl.Components.Gpu;
using Llmctl.Components.Kubernetes;
using Llmctl.Components.Models;
using Llmctl.Engine.Config;
using Llmctl.Engine.Model;
using Llmctl.Stacks.Config;

namespace Llmctl.Stacks.Tests;

/// <summary>Hardware declared in the stack file: inline GPUs, overrides of a catalog entry, N GPUs per node, split lanes.</summary>
public sealed class DeclaredHardwareTests
{
    private static StackContext Compose(StackConfig config) =>
        StackPipeline.Compose("llm-platform", "homelab", config);

    [Fact]
    public void Inline_GPUs_need_no_catalog_entry()
    {
        var node = new GpuNodeConfig
        {
            Name = "w",
            Gpus = new GpuSpecConfig { Vendor = "nvidia", Model = "NVIDIA RTX A6000", Memory = Quantity.Parse("48Gi"), Count = 2, Family = "ampere", Tier = "big" },
        };

        var hw = HardwareCatalog.Resolve(node, out var problem, out _);

        Assert.Null(problem);
        Assert.Equal(("nvidia-rtx-a6000", GpuVendor.Nvidia, 49152, 2, GpuTier.Big, "ampere"), (hw!.Key, hw.Vendor, hw.VramMiB, hw.GpuCount, hw.Tier, hw.Family));
    }

    [Fact]
    public void Gpus_override_what_differs_from_the_catalog_entry()
    {
        var hw = HardwareCatalog.Resolve(new GpuNodeConfig { Name = "w", Hardware = "rtx-3090", Gpus = new GpuSpecConfig { Count = 2 } }, out _, out _)!;

        Assert.Equal(("rtx-3090", 24576, 2, "ampere"), (hw.Key, hw.VramMiB, hw.GpuCount, hw.Family));
    }

    [Theory]
    [InlineData(null, null, "hardware", "names no GPU hardware")]
    [InlineData("gtx-1080", null, "hardware", "is not in the hardware catalog")]
    [InlineData(null, "intel", "gpus.vendor", "is not a GPU vendor")]
    public void An_incomplete_declaration_says_what_is_missing(string? hardware, string? vendor, string key, string message)
    {
        var node = new GpuNodeConfig { Name = "w", Hardware = hardware, Gpus = vendor is null ? null : new GpuSpecConfig { Vendor = vendor, Model = "X", Memory = Quantity.Parse("8Gi") } };

        Assert.Null(HardwareCatalog.Resolve(node, out var problem, out var problemKey));
        Assert.Equal(key, problemKey);
        Assert.Contains(message, problem);
    }

    [Theory]
    [InlineData("4Ei")] // found by reading the conversions after fuzzing: (int) of a decimal this large threw, an internal error
    [InlineData("4096Ti")]
    public void A_GTT_no_GPU_can_map_is_refused_at_its_key_instead_of_overflowing(string gtt)
    {
        var node = new GpuNodeConfig { Name = "w", Hardware = "strix-halo-128gb", Gpus = new GpuSpecConfig { Gtt = Quantity.Parse(gtt) } };

        Assert.Null(HardwareCatalog.Resolve(node, out var problem, out var problemKey));
        Assert.Equal("gpus.gtt", problemKey);
        Assert.Contains($"gpus.gtt {gtt} is not a memory size a GPU can map", problem);
    }

    [Fact]
    public void A_declared_48Gi_on_a_3090_is_taken_as_given()
    {
        var config = HomelabConfigs.Homelab() with
        {
            GpuNodes = [new GpuNodeConfig { Name = "gpu-worker", Hardware = "rtx-3090", UsableVram = Quantity.Parse("48Gi") }],
        };

        var node = Compose(config).Resources.OfType<GpuNode>().Single();

        Assert.Equal(49152, node.Args.Gpu.VramMiB);
    }

    [Fact]
    public void Two_active_lanes_run_on_a_two_GPU_node_and_a_split_lane_asks_for_both()
    {
        var config = HomelabConfigs.Homelab(
            HomelabConfigs.Fast,
            HomelabConfigs.Deep with { Active = true },
            HomelabConfigs.LongCtx with { Name = "split", Active = false, Gpus = 2 }) with
        {
            GpuNodes = [new GpuNodeConfig { Name = "gpu-worker", Hardware = "rtx-3090", Gpus = new GpuSpecConfig { Count = 2 } }],
        };

        var lanes = Compose(config).Resources.OfType<LlamaCppLane>().ToDictionary(l => l.Name);

        Assert.True(lanes["qwen36-35b-gguf-fast"].Args.Active);
        Assert.True(lanes["qwen36-27b-deep"].Args.Active);
        Assert.Equal("2", GpuLimit(lanes["split"]));
        Assert.Equal("1", GpuLimit(lanes["qwen36-27b-deep"]));
    }

    [Fact]
    public void Expert_offload_and_router_mode_reach_the_lane_arguments()
    {
        var config = HomelabConfigs.Homelab(
            HomelabConfigs.Fast with { NCpuMoe = 12 },
            HomelabConfigs.Deep with
            {
                Model = null,
                ModelRef = null,
                Alias = null,
                Router = new LlamaCppRouterConfig
                {
                    ModelsMax = 2,
                    Presets = [new LlamaCppPresetConfig { Id = "a", Model = "a.gguf", CpuMoe = true }, new LlamaCppPresetConfig { Id = "b", Model = "b.gguf", CtxSize = 8192 }],
                },
            });

        var lanes = Compose(config).Resources.OfType<LlamaCppLane>().ToDictionary(l => l.Name);

        Assert.Equal(12, lanes["qwen36-35b-gguf-fast"].Args.CpuMoeLayers);
        var router = lanes["qwen36-27b-deep"].Args.Router!;
        Assert.Equal(2, router.MaxModels);
        Assert.Equal([true, null], router.Presets.Select(p => p.CpuMoe));
        Assert.Equal([null, 8192], router.Presets.Select(p => p.CtxSize));
        Assert.Contains("--n-cpu-moe", lanes["qwen36-35b-gguf-fast"].Deployment.Object.Spec.Template.Spec.Containers[0].Args);
    }

    private static string GpuLimit(LlamaCppLane lane) =>
        lane.Deployment.Object.Spec.Template.Spec.Containers[0].Resources.Limits["nvidia.com/gpu"].ToString();
}
