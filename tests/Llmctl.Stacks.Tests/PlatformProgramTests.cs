using Llmctl.Engine.Config;
using k8s.Models;
using Llmctl.Components.Gpu;
using Llmctl.Components.Kubernetes;
using Llmctl.Components.Models;
using Llmctl.Engine.Model;
using Llmctl.Stacks.Config;

namespace Llmctl.Stacks.Tests;

public sealed class PlatformProgramTests
{
    private static StackContext Compose(StackConfig config) =>
        StackPipeline.Compose("llm-platform", "homelab", config);

    [Fact]
    public void The_homelab_composes_into_the_expected_resource_tree()
    {
        var stack = Compose(HomelabConfigs.Homelab());

        const string P = "urn:pulumi:homelab::llm-platform::";
        Assert.Equal(
            [
                P + "pulumi:pulumi:Stack::llm-platform-homelab",
                P + "llmctl:gpu:GpuNode::gpu-worker",
                P + "llmctl:gpu:GpuNode$kubernetes:core/v1:NodePatch::gpu-worker",
                P + "llmctl:gpu:NvidiaRuntime::nvidia",
                P + "llmctl:gpu:NvidiaRuntime$kubernetes:node.k8s.io/v1:RuntimeClass::nvidia",
                P + "kubernetes:core/v1:Namespace::llm",
                P + "llmctl:models:LlamaCppLane::qwen36-35b-gguf-fast",
                P + "llmctl:models:LlamaCppLane$kubernetes:apps/v1:Deployment::qwen36-35b-gguf-fast",
                P + "llmctl:models:LlamaCppLane$kubernetes:core/v1:Service::qwen36-35b-gguf-fast",
                P + "llmctl:models:LlamaCppLane::qwen36-35b-gguf-longctx",
                P + "llmctl:models:LlamaCppLane$kubernetes:apps/v1:Deployment::qwen36-35b-gguf-longctx",
                P + "llmctl:models:LlamaCppLane$kubernetes:core/v1:Service::qwen36-35b-gguf-longctx",
                P + "llmctl:models:LlamaCppLane::qwen36-27b-deep",
                P + "llmctl:models:LlamaCppLane$kubernetes:apps/v1:Deployment::qwen36-27b-deep",
                P + "llmctl:models:LlamaCppLane$kubernetes:core/v1:Service::qwen36-27b-deep",
            ],
            stack.Resources.Select(r => r.Urn.Value));
    }

    [Fact]
    public void Only_the_fast_lane_runs_and_the_others_are_parked()
    {
        var replicas = Compose(HomelabConfigs.Homelab()).Resources
            .OfType<KubernetesObject<V1Deployment>>()
            .ToDictionary(d => d.Name, d => d.Object.Spec.Replicas);

        Assert.Equal(new Dictionary<string, int?>
        {
            ["qwen36-35b-gguf-fast"] = 1,
            ["qwen36-35b-gguf-longctx"] = 0,
            ["qwen36-27b-deep"] = 0,
        }, replicas);
    }

    [Fact]
    public void Lanes_mount_the_nodes_model_disk_and_are_pinned_to_their_node()
    {
        var deep = Compose(HomelabConfigs.Homelab()).Resources.OfType<KubernetesObject<V1Deployment>>().Single(d => d.Name == "qwen36-27b-deep");
        var spec = deep.Object.Spec.Template.Spec;

        Assert.Equal("/models/vllm", spec.Volumes.Single(v => v.Name == "models").HostPath.Path);
        Assert.Equal("gpu-worker", spec.NodeSelector["kubernetes.io/hostname"]);
        Assert.Contains("/models/gguf/Qwen3.6-27B-Q4_K_M.gguf", spec.Containers[0].Args);
        Assert.Equal("llm", deep.Object.Metadata.NamespaceProperty);
    }

    [Fact]
    public void Lane_objects_depend_on_the_namespace_and_the_runtime_class_component()
    {
        var stack = Compose(HomelabConfigs.Homelab());
        var fast = stack.Resources.OfType<KubernetesObject<V1Deployment>>().First();

        Assert.Equal(
            ["kubernetes:core/v1:Namespace", NvidiaRuntime.TypeToken],
            fast.Options.DependsOn.Select(d => d.Type));
    }

    [Fact]
    public void The_GPU_node_carries_the_catalog_facts_as_an_annotation_and_labels()
    {
        var node = Compose(HomelabConfigs.Homelab()).Resources.OfType<GpuNode>().Single();

        Assert.Equal(new NodeGpu("gpu-worker", GpuVendor.Nvidia, "rtx-pro-4000-blackwell-sff", 24467, 1, GpuTier.Support, "blackwell"),
            node.Annotations.Find<NodeGpu>());
        Assert.Equal("24gb", node.Labels["workload.ai/vram"]);
        Assert.Equal("inference", node.Labels["workload.ai/profile"]);
    }

    [Fact]
    public void The_stack_exports_the_active_lanes_and_the_lane_endpoints()
    {
        var outputs = Compose(HomelabConfigs.Homelab()).Outputs;

        Assert.Equal("""["qwen36-35b-gguf-fast"]""", outputs["activeLanes"]!.ToJsonString());
        Assert.Equal("llm", (string?)outputs["lanesNamespace"]);
        Assert.Equal("http://qwen36-27b-deep.llm.svc.cluster.local:8080/v1", (string?)outputs["laneEndpoints"]!["qwen36-27b-deep"]);
    }

    [Fact]
    public void A_stack_without_NVIDIA_hardware_gets_no_runtime_class()
    {
        var config = HomelabConfigs.Homelab() with
        {
            GpuNodes = [new GpuNodeConfig { Name = "halo-1", Hardware = "strix-halo-128gb", UsableVram = Quantity.Parse("94Gi") }],
            Lanes = new LanesConfig(),
        };

        var stack = Compose(config);

        Assert.Empty(stack.Resources.OfType<NvidiaRuntime>());
        Assert.Single(stack.Resources.OfType<GpuNode>());
    }

    [Fact]
    public void Unknown_hardware_names_the_key_and_the_known_hardware()
    {
        var config = HomelabConfigs.Homelab() with { GpuNodes = [new GpuNodeConfig { Name = "gpu-worker", Hardware = "rtx-5090" }] };

        var ex = Assert.Throws<StackCompositionException>(() => Compose(config));

        Assert.Equal("llm-platform:gpuNodes[0].hardware", ex.KeyPath);
        Assert.Contains("rtx-pro-4000-blackwell-sff", ex.Message);
    }

    [Fact]
    public void A_lane_on_an_undeclared_node_names_the_lane_key()
    {
        var config = HomelabConfigs.Homelab(HomelabConfigs.Fast, HomelabConfigs.Deep with { Node = "gpu-worker-2" });

        var ex = Assert.Throws<StackCompositionException>(() => Compose(config));

        Assert.Equal("llm-platform:lanes.items[1].node", ex.KeyPath);
        Assert.Contains("gpu-worker-2", ex.Message);
    }

    [Fact]
    public void An_ollama_lane_with_a_single_node_instead_of_a_node_list_names_the_nodes_key()
    {
        var config = HomelabConfigs.Homelab(HomelabConfigs.Fast, HomelabConfigs.Deep with { Name = "ollama-lane", Runtime = LaneRuntime.Ollama });

        var ex = Assert.Throws<StackCompositionException>(() => Compose(config));

        Assert.Equal("llm-platform:lanes.items[1].nodes", ex.KeyPath);
        Assert.Contains("names no nodes", ex.Message);
    }

    [Fact]
    public void An_unknown_cache_type_lists_the_ones_llama_cpp_accepts()
    {
        var config = HomelabConfigs.Homelab(HomelabConfigs.Fast with { CacheTypeK = "q9_0" });

        var ex = Assert.Throws<StackCompositionException>(() => Compose(config));

        Assert.Equal("llm-platform:lanes.items[0].cacheTypeK", ex.KeyPath);
        Assert.Contains("q8_0", ex.Message);
    }

    [Fact]
    public void A_malformed_image_names_the_image_key()
    {
        var config = HomelabConfigs.Homelab(HomelabConfigs.Fast with { Image = "ghcr.io/ggml-org/llama.cpp@sha256:short" });

        var ex = Assert.Throws<StackCompositionException>(() => Compose(config));

        Assert.Equal("llm-platform:lanes.items[0].image", ex.KeyPath);
    }
}
