using System.Text.Json.Nodes;
using Llmctl.Components.Gpu;
using Llmctl.Components.Images;
using Llmctl.Components.Models;
using Llmctl.Engine.Config;
using Llmctl.Testing;
using static Llmctl.Components.Tests.Models.ModelTestData;
using Llmctl.Fit.Lock;

namespace Llmctl.Components.Tests.Models;

public sealed class OllamaLaneTests
{
    // Seed 000: two nodes, identical Ollama instances, the benchmark's OLLAMA_* settings.
    private static OllamaLaneArgs TwoNodes => new()
    {
        Namespace = "ollama",
        Nodes = ["node-a", "node-b"],
        Image = ImageRef.Parse($"ollama/ollama:0.32.15@{Digest}"),
        ContextLength = 32768,
        Pull = ["gemma4:e4b"],
        Resources = new ComputeResources { CpuRequest = Quantity.Parse("2000m"), MemoryRequest = Quantity.Parse("16Gi"), MemoryLimit = Quantity.Parse("112Gi") },
    };

    private static OllamaLane Lane(OllamaLaneArgs args) => Build(() => new OllamaLane("ollama", args));

    private static JsonObject ValuesOf(OllamaLane lane, string node) =>
        (JsonObject)YamlValues(lane.Releases[node].Chart.Object.Spec.ValuesContent!);

    private static JsonNode YamlValues(string yaml) =>
        JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(
            new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<object>(yaml)))!;

    [Fact]
    public void Every_values_key_exists_in_the_charts_upstream_values()
    {
        var values = OllamaLane.Values("ollama", "ollama-node-a", "node-a", TwoNodes);

        ChartValues.AssertKeysExist("ollama", values, "podLabels", "nodeSelector");
    }

    [Fact]
    public void Each_node_gets_its_own_release_with_the_same_values_except_the_node_selector_and_name()
    {
        var lane = Lane(TwoNodes);

        Assert.Equal(["node-a", "node-b"], lane.Releases.Keys.Order());
        var a = OllamaLane.Values("ollama", "ollama-node-a", "node-a", TwoNodes);
        var b = OllamaLane.Values("ollama", "ollama-node-b", "node-b", TwoNodes);
        Assert.Equal("node-a", (string?)a["nodeSelector"]!["kubernetes.io/hostname"]);
        Assert.Equal("node-b", (string?)b["nodeSelector"]!["kubernetes.io/hostname"]);
        foreach (var v in new[] { a, b })
        {
            v.Remove("nodeSelector");
            v.Remove("fullnameOverride");
        }
        Assert.True(JsonNode.DeepEquals(a, b));
        Assert.Equal(("ollama", "1.77.0", "https://helm.otwld.com/"),
            (lane.Releases["node-a"].Chart.Object.Spec.Chart, lane.Releases["node-a"].Chart.Object.Spec.Version, lane.Releases["node-a"].Chart.Object.Spec.Repo));
    }

    [Fact]
    public void The_release_asks_for_the_GPU_pulls_the_models_and_keeps_them_on_a_volume()
    {
        var values = ValuesOf(Lane(TwoNodes), "node-a");

        // Read back from the HelmChart's valuesContent YAML, where every scalar is text.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"enabled": "true", "number": "1", "type": "nvidia"}"""), values["ollama"]!["gpu"]));
        Assert.Equal("gemma4:e4b", (string?)values["ollama"]!["models"]!["pull"]![0]);
        Assert.Equal(("true", "120Gi"), ((string?)values["persistentVolume"]!["enabled"], (string?)values["persistentVolume"]!["size"]));
        Assert.Equal("nvidia", (string?)values["runtimeClassName"]);
        Assert.Equal("0.32.15@" + Digest, (string?)values["image"]!["tag"]);
    }

    [Fact]
    public void The_settings_become_OLLAMA_environment_variables()
    {
        var env = OllamaLane.Environment(TwoNodes with { KvCacheType = KvCacheType.Q8_0 }).ToDictionary();

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["OLLAMA_CONTEXT_LENGTH"] = "32768",
                ["OLLAMA_FLASH_ATTENTION"] = "1",
                ["OLLAMA_KEEP_ALIVE"] = "1h",
                ["OLLAMA_KV_CACHE_TYPE"] = "q8_0",
                ["OLLAMA_MAX_LOADED_MODELS"] = "1",
                ["OLLAMA_NUM_PARALLEL"] = "1",
            },
            env);
    }

    [Fact]
    public void An_AMD_lane_asks_for_an_amd_GPU_without_the_nvidia_runtime_class()
    {
        var values = OllamaLane.Values("ollama", "ollama-node-a", "node-a",
            TwoNodes with { Gpu = GpuVendor.Amd, Image = ImageRef.Parse($"ollama/ollama:0.32.15-rocm@{Digest}") });

        Assert.Equal("amd", (string?)values["ollama"]!["gpu"]!["type"]);
        Assert.Null(values["runtimeClassName"]);
    }

    [Fact]
    public void Each_node_has_an_endpoint_named_after_its_release()
    {
        var lane = Lane(TwoNodes);

        Assert.Equal(
            ["http://ollama-node-a.ollama.svc.cluster.local:11434/v1", "http://ollama-node-b.ollama.svc.cluster.local:11434/v1"],
            lane.Endpoints.Select(e => e.Url));
        Assert.Equal(new ServingLane("ollama", ModelRuntime.Ollama, "node-b", true), lane.Releases["node-b"].Chart.Annotations.Find<ServingLane>());
    }

    [Fact]
    public void Bad_settings_are_all_reported()
    {
        var ex = Fails(() => new OllamaLane("ollama", TwoNodes with
        {
            Nodes = ["node-a", "node-a"],
            ContextLength = 0,
            KvCacheType = KvCacheType.Q4_0,
            FlashAttention = false,
            KeepAlive = "forever",
            Gpu = GpuVendor.Amd,
        }));

        Assert.Equal(["nodes", "image", "contextLength", "keepAlive", "kvCacheType"], ex.Problems.Select(p => p.Argument));
        Assert.Contains("'-rocm' tag", ex.Problems[1].Message);
        Assert.Contains("needs flash attention", ex.Problems[4].Message);
    }
}

public sealed class VllmLaneTests
{
    private static VllmLaneArgs Args => new()
    {
        Namespace = "llm",
        Image = ImageRef.Parse($"vllm/vllm-openai:v0.11.0@{Digest}"),
        Model = "Qwen/Qwen3-8B-AWQ",
        MaxModelLen = 32768,
        Active = true,
        Node = "gpu-worker",
        KvCacheDtype = "fp8",
    };

    private static VllmLane Lane(VllmLaneArgs args) => Build(() => new VllmLane("qwen3-8b-vllm", args));

    [Fact]
    public void The_server_args_come_from_the_typed_settings()
    {
        var container = Assert.Single(Lane(Args).Deployment.Object.Spec.Template.Spec.Containers);

        Assert.Equal(
            [
                "--model", "Qwen/Qwen3-8B-AWQ",
                "--served-model-name", "qwen3-8b-vllm",
                "--max-model-len", "32768",
                "--gpu-memory-utilization", "0.9",
                "--kv-cache-dtype", "fp8",
                "--tensor-parallel-size", "1",
                "--host", "0.0.0.0",
                "--port", "8000",
            ],
            container.Args);
        Assert.Equal("/health", container.ReadinessProbe.HttpGet.Path);
    }

    [Fact]
    public void The_pod_follows_the_GPU_contract_of_the_llama_cpp_lanes()
    {
        var lane = Lane(Args with { TensorParallelSize = 2 });
        var deployment = lane.Deployment.Object;
        var spec = deployment.Spec.Template.Spec;

        Assert.Equal(("Recreate", 1, "nvidia"), (deployment.Spec.Strategy.Type, deployment.Spec.Replicas, spec.RuntimeClassName));
        var resources = Assert.Single(spec.Containers).Resources;
        Assert.Equal(("2", "2"), (resources.Requests["nvidia.com/gpu"].ToString(), resources.Limits["nvidia.com/gpu"].ToString()));
        Assert.Equal(new Dictionary<string, string> { ["workload.ai/gpu"] = "true", ["kubernetes.io/hostname"] = "gpu-worker" }, spec.NodeSelector);
        Assert.Equal("workload.ai/dedicated", Assert.Single(spec.Tolerations).Key);
        Assert.Equal("true", deployment.Spec.Template.Metadata.Labels["workload.ai/gpu-llm"]);
        Assert.Equal(new GpuWorkload(GpuVendor.Nvidia, 2), lane.Deployment.Annotations.Find<GpuWorkload>());
        Assert.Equal("http://qwen3-8b-vllm.llm.svc.cluster.local:8000/v1", lane.Endpoint);
    }

    [Fact]
    public void A_parked_vLLM_lane_has_zero_replicas_and_a_locked_model_is_annotated()
    {
        var lock8b = FastModelLock with { Ref = "qwen3-8b", File = "qwen3-8b.gguf" };
        var deployment = Lane(Args with { Active = false, Lock = lock8b }).Deployment.Object;

        Assert.Equal(0, deployment.Spec.Replicas);
        Assert.Equal(new string('a', 64), deployment.Metadata.Annotations["llmctl.io/model-file-sha256"]);
        Assert.Equal("true", deployment.Metadata.Annotations["llmctl.io/model-server"]);
    }

    [Fact]
    public void Bad_settings_are_all_reported()
    {
        var ex = Fails(() => new VllmLane("qwen3-8b-vllm", Args with
        {
            MaxModelLen = 0,
            GpuMemoryUtilization = 1.5,
            KvCacheDtype = "q8_0",
            TensorParallelSize = 0,
            ExtraArgs = ["--max-model-len=4096"],
        }));

        Assert.Equal(["maxModelLen", "gpuMemoryUtilization", "kvCacheDtype", "tensorParallelSize", "extraArgs"], ex.Problems.Select(p => p.Argument));
    }
}
