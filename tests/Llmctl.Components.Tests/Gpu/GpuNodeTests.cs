using Llmctl.Components.Gpu;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Tests.Gpu;

public sealed class GpuNodeTests
{
    private static readonly NodeGpu RtxPro4000 =
        new("gpu-worker", GpuVendor.Nvidia, "rtx-pro-4000-blackwell-sff", 24467, 1, GpuTier.Support, "blackwell");

    [Fact]
    public void A_GPU_node_gets_the_semantic_labels_of_seed_002()
    {
        GpuNode? node = null;
        StackContext.Run("llm-platform", "homelab", _ => node = new GpuNode("gpu-worker", new GpuNodeArgs
        {
            Gpu = RtxPro4000,
            Labels = new Dictionary<string, string> { ["workload.ai/profile"] = "inference" },
        }));

        Assert.Equal(new Dictionary<string, string>
        {
            ["workload.ai/gpu"] = "true",
            ["workload.ai/gpu-family"] = "blackwell",
            ["workload.ai/gpu-model"] = "rtx-pro-4000-blackwell-sff",
            ["workload.ai/gpu-tier"] = "support",
            ["workload.ai/gpu-vendor"] = "nvidia",
            ["workload.ai/profile"] = "inference",
            ["workload.ai/vram"] = "24gb",
        }, node!.Patch.Object.Metadata.Labels);
    }

    [Fact]
    public void The_labels_are_a_node_patch_that_is_never_deleted_with_the_stack()
    {
        GpuNode? node = null;
        StackContext.Run("llm-platform", "homelab", _ => node = new GpuNode("gpu-worker", new GpuNodeArgs { Gpu = RtxPro4000 }));

        Assert.Equal("urn:pulumi:homelab::llm-platform::llmctl:gpu:GpuNode$kubernetes:core/v1:NodePatch::gpu-worker", node!.Patch.Urn.Value);
        Assert.True(node.Patch.RetainOnDelete);
        Assert.Equal(RtxPro4000, node.Annotations.Find<NodeGpu>());
    }

    [Theory]
    [InlineData(24467, "24gb")]
    [InlineData(81559, "80gb")]
    [InlineData(131072, "128gb")]
    public void The_vram_label_is_whole_gibibytes(int mib, string label)
    {
        Assert.Equal(label, GpuLabels.VramLabel(mib));
    }

    [Fact]
    public void A_GPU_node_is_tainted_dedicated_gpu_NoSchedule_on_the_same_node_patch()
    {
        GpuNode? node = null;
        StackContext.Run("llm-platform", "homelab", _ => node = new GpuNode("gpu-worker", new GpuNodeArgs { Gpu = RtxPro4000, Profile = "inference" }));

        var taint = Assert.Single(node!.Patch.Object.Spec.Taints);
        Assert.Equal(("workload.ai/dedicated", "gpu", "NoSchedule"), (taint.Key, taint.Value, taint.Effect));
        var rendered = Assert.Single(node.Patch.Inputs["spec"]!["taints"]!.AsArray())!;
        Assert.Equal("{\"effect\":\"NoSchedule\",\"key\":\"workload.ai/dedicated\",\"value\":\"gpu\"}", rendered.ToJsonString());
        Assert.Equal("inference", node.Patch.Object.Metadata.Labels["workload.ai/profile"]);
    }

    [Fact]
    public void The_taint_can_be_left_off_for_a_node_that_also_runs_ordinary_work()
    {
        GpuNode? node = null;
        StackContext.Run("llm-platform", "fleet", _ => node = new GpuNode("strix-1", new GpuNodeArgs
        {
            Gpu = new NodeGpu("strix-1", GpuVendor.Amd, "radeon-8060s", 96 * 1024, UnifiedMemory: true),
            Taint = GpuTaint.None,
        }));

        Assert.Null(node!.Patch.Object.Spec);
        Assert.Null(node.Patch.Inputs["spec"]);
        Assert.Empty(node.Taints);
    }

    [Fact]
    public void A_profile_that_is_not_a_label_value_is_refused()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() =>
            StackContext.Run("p", "s", _ => new GpuNode("gpu-worker", new GpuNodeArgs { Gpu = RtxPro4000, Profile = "chat & agents" })));

        Assert.Equal("profile", Assert.Single(ex.Problems).Argument);
        Assert.Contains("is not a valid label value", ex.Message);
    }

    [Fact]
    public void A_node_can_prefer_rather_than_require_dedicated_GPU_work()
    {
        GpuNode? node = null;
        StackContext.Run("p", "s", _ => node = new GpuNode("gpu-a", new GpuNodeArgs { Gpu = new NodeGpu("gpu-a", GpuVendor.Amd, "strix-halo", 96 * 1024), Taint = GpuTaint.Prefer }));

        var taint = Assert.Single(node!.Taints);
        Assert.Equal(GpuLabels.DedicatedTaintKey, taint.Key);
        Assert.Equal("PreferNoSchedule", taint.Effect);
    }
}
