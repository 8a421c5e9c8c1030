using k8s.Models;
using Llmctl.Components.Gpu;
using Llmctl.Components.Images;
using Llmctl.Components.Kubernetes;
using Llmctl.Components.Models;
using Llmctl.Engine.Config;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Tests.Models;

public sealed class LlamaCppLaneTests
{
    private const string Digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    // Seed 002's fast lane, as the homelab stack file describes it.
    private static LlamaCppLaneArgs FastLane => new()
    {
        Namespace = "llm",
        Image = ImageRef.Parse($"ghcr.io/ggml-org/llama.cpp:server-cuda@{Digest}"),
        ModelFile = "Qwen3.6-35B-A3B-UD-Q4_K_M.gguf",
        Alias = "qwen36-35b-fast",
        CtxSize = 49152,
        CacheTypeK = KvCacheType.Q8_0,
        CacheTypeV = KvCacheType.Q8_0,
        Parallel = 1,
        Active = true,
        Node = "gpu-worker",
        ModelHostPath = "/models/vllm",
        Resources = new ComputeResources
        {
            CpuRequest = Quantity.Parse("8"),
            MemoryRequest = Quantity.Parse("32Gi"),
            CpuLimit = Quantity.Parse("14"),
            MemoryLimit = Quantity.Parse("64Gi"),
        },
    };

    private static LlamaCppLane Build(string name, LlamaCppLaneArgs args)
    {
        LlamaCppLane? lane = null;
        StackContext.Run("llm-platform", "homelab", _ => lane = new LlamaCppLane(name, args));
        return lane!;
    }

    private static V1PodSpec PodSpec(LlamaCppLane lane) => lane.Deployment.Object.Spec.Template.Spec;

    [Fact]
    public void The_active_lane_runs_one_replica_with_the_Recreate_strategy()
    {
        var spec = Build("qwen36-35b-gguf-fast", FastLane).Deployment.Object.Spec;

        Assert.Equal(1, spec.Replicas);
        Assert.Equal("Recreate", spec.Strategy.Type);
    }

    [Fact]
    public void A_parked_lane_is_declared_with_zero_replicas_and_still_asks_for_its_GPU()
    {
        var lane = Build("qwen36-27b-deep", FastLane with { Active = false, ModelFile = "Qwen3.6-27B-Q4_K_M.gguf" });

        Assert.Equal(0, lane.Deployment.Object.Spec.Replicas);
        var resources = Assert.Single(PodSpec(lane).Containers).Resources;
        Assert.Equal("1", resources.Requests["nvidia.com/gpu"].ToString());
        Assert.Equal("1", resources.Limits["nvidia.com/gpu"].ToString());
    }

    [Fact]
    public void The_pod_uses_the_nvidia_runtime_class_and_gets_no_service_account_token_or_service_links()
    {
        var spec = PodSpec(Build("qwen36-35b-gguf-fast", FastLane));

        Assert.Equal("nvidia", spec.RuntimeClassName);
        Assert.False(spec.AutomountServiceAccountToken);
        Assert.False(spec.EnableServiceLinks);
    }

    [Fact]
    public void Cpu_and_memory_come_from_the_args_and_the_GPU_request_equals_the_limit()
    {
        var resources = Assert.Single(PodSpec(Build("qwen36-35b-gguf-fast", FastLane)).Containers).Resources;

        Assert.Equal(
            new Dictionary<string, string> { ["cpu"] = "8", ["memory"] = "32Gi", ["nvidia.com/gpu"] = "1" },
            resources.Requests.ToDictionary(kv => kv.Key, kv => kv.Value.ToString()));
        Assert.Equal(
            new Dictionary<string, string> { ["cpu"] = "14", ["memory"] = "64Gi", ["nvidia.com/gpu"] = "1" },
            resources.Limits.ToDictionary(kv => kv.Key, kv => kv.Value.ToString()));
    }

    [Fact]
    public void The_pod_selects_GPU_nodes_pinned_to_its_node_and_tolerates_the_GPU_taint()
    {
        var spec = PodSpec(Build("qwen36-35b-gguf-fast", FastLane));

        Assert.Equal(
            new Dictionary<string, string> { ["workload.ai/gpu"] = "true", ["kubernetes.io/hostname"] = "gpu-worker" },
            spec.NodeSelector);
        var toleration = Assert.Single(spec.Tolerations);
        Assert.Equal(("workload.ai/dedicated", "Equal", "gpu", "NoSchedule"),
            (toleration.Key, toleration.OperatorProperty, toleration.Value, toleration.Effect));
    }

    [Fact]
    public void A_lane_without_a_node_selects_GPU_nodes_only()
    {
        var spec = PodSpec(Build("qwen36-35b-gguf-fast", FastLane with { Node = null }));

        Assert.Equal(new Dictionary<string, string> { ["workload.ai/gpu"] = "true" }, spec.NodeSelector);
    }

    [Fact]
    public void The_model_cache_is_the_hostPath_mounted_at_models_and_shm_is_in_memory()
    {
        var spec = PodSpec(Build("qwen36-35b-gguf-fast", FastLane));

        var models = Assert.Single(spec.Volumes, v => v.Name == "models");
        Assert.Equal(("/models/vllm", "Directory"), (models.HostPath.Path, models.HostPath.Type));
        var shm = Assert.Single(spec.Volumes, v => v.Name == "dshm");
        Assert.Equal(("Memory", "8Gi"), (shm.EmptyDir.Medium, shm.EmptyDir.SizeLimit.ToString()));
        var mounts = Assert.Single(spec.Containers).VolumeMounts.ToDictionary(m => m.Name, m => m.MountPath);
        Assert.Equal(new Dictionary<string, string> { ["models"] = "/models", ["dshm"] = "/dev/shm" }, mounts);
    }

    [Fact]
    public void The_fast_lane_args_are_exactly_the_pod_command_of_seed_002()
    {
        var container = Assert.Single(PodSpec(Build("qwen36-35b-gguf-fast", FastLane with { Alias = null })).Containers);

        // Seed 002, "The model command is intentionally visible in the pod spec", token for token and in order.
        const string seedCommand = """
            -m /models/gguf/Qwen3.6-35B-A3B-UD-Q4_K_M.gguf
            --alias qwen36-35b-gguf-fast
            --ctx-size 49152
            --cache-type-k q8_0
            --cache-type-v q8_0
            --n-gpu-layers 999
            --flash-attn on
            --parallel 1
            --jinja
            --host 0.0.0.0
            --port 8080
            --metrics
            """;
        Assert.Equal(seedCommand.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries), container.Args);
        Assert.Equal($"ghcr.io/ggml-org/llama.cpp:server-cuda@{Digest}", container.Image);
    }

    [Fact]
    public void An_explicit_alias_replaces_the_lane_name_in_the_args()
    {
        var args = LlamaCppLane.ServerArgs("qwen36-35b-gguf-fast", FastLane);

        Assert.Equal("qwen36-35b-fast", args[args.ToList().IndexOf("--alias") + 1]);
    }

    [Fact]
    public void Readiness_and_a_generous_startup_probe_check_health()
    {
        var container = Assert.Single(PodSpec(Build("qwen36-35b-gguf-fast", FastLane)).Containers);

        Assert.Equal("/health", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/health", container.StartupProbe.HttpGet.Path);
        var budget = TimeSpan.FromSeconds(container.StartupProbe.FailureThreshold!.Value * container.StartupProbe.PeriodSeconds!.Value);
        Assert.True(budget >= TimeSpan.FromMinutes(10), $"startup budget is only {budget}");
    }

    [Fact]
    public void A_ClusterIP_service_fronts_the_lane_on_its_port()
    {
        var lane = Build("qwen36-35b-gguf-fast", FastLane);
        var service = lane.Service.Object;

        Assert.Equal("ClusterIP", service.Spec.Type);
        Assert.Equal(lane.Deployment.Object.Spec.Selector.MatchLabels, service.Spec.Selector);
        var port = Assert.Single(service.Spec.Ports);
        Assert.Equal((8080, "http"), (port.Port, port.TargetPort.Value));
        Assert.Equal("http://qwen36-35b-gguf-fast.llm.svc.cluster.local:8080/v1", lane.Endpoint);
    }

    [Fact]
    public void The_deployment_carries_the_typed_annotations_policies_read()
    {
        var annotations = Build("qwen36-35b-gguf-fast", FastLane).Deployment.Annotations;

        Assert.Equal(new GpuWorkload(GpuVendor.Nvidia, 1), annotations.Find<GpuWorkload>());
        Assert.Equal(
            new ServedModel("Qwen3.6-35B-A3B-UD-Q4_K_M.gguf", "qwen36-35b-fast", 49152, KvCacheType.Q8_0, KvCacheType.Q8_0, 1),
            annotations.Find<ServedModel>());
        Assert.Equal(new ServingLane("qwen36-35b-gguf-fast", ModelRuntime.LlamaCpp, "gpu-worker", true), annotations.Find<ServingLane>());
        Assert.True(annotations.Find<ContainerImage>()!.Image.IsPinned);
    }

    [Fact]
    public void Children_URNs_carry_the_lane_in_their_parent_chain()
    {
        var lane = Build("qwen36-35b-gguf-fast", FastLane);

        Assert.Equal(
            "urn:pulumi:homelab::llm-platform::llmctl:models:LlamaCppLane$kubernetes:apps/v1:Deployment::qwen36-35b-gguf-fast",
            lane.Deployment.Urn.Value);
        Assert.Equal(
            "urn:pulumi:homelab::llm-platform::llmctl:models:LlamaCppLane$kubernetes:core/v1:Service::qwen36-35b-gguf-fast",
            lane.Service.Urn.Value);
        Assert.Same(lane, lane.Deployment.Parent);
    }

    [Fact]
    public void The_deployment_inputs_are_the_object_as_JSON_with_apiVersion_and_kind()
    {
        var inputs = Build("qwen36-35b-gguf-fast", FastLane).Deployment.Inputs;

        Assert.Equal("apps/v1", (string?)inputs["apiVersion"]);
        Assert.Equal("Deployment", (string?)inputs["kind"]);
        Assert.Equal("llm", (string?)inputs["metadata"]!["namespace"]);
        Assert.Equal("nvidia", (string?)inputs["spec"]!["template"]!["spec"]!["runtimeClassName"]);
        Assert.Equal("1", (string?)inputs["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"]);
    }

    [Fact]
    public void The_lane_passes_its_dependencies_on_to_its_objects()
    {
        LlamaCppLane? lane = null;
        StackContext.Run("llm-platform", "homelab", _ =>
        {
            var runtime = new NvidiaRuntime("nvidia");
            lane = new LlamaCppLane("qwen36-35b-gguf-fast", FastLane, new ComponentResourceOptions { DependsOn = [runtime] });
        });

        Assert.Equal("nvidia", Assert.Single(lane!.Deployment.Options.DependsOn).Name);
        Assert.Equal("nvidia", Assert.Single(lane.Service.Options.DependsOn).Name);
    }
}
