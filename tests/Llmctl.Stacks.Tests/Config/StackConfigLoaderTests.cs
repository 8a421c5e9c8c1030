using Llmctl.Engine.Config;
using Llmctl.Stacks.Config;

namespace Llmctl.Stacks.Tests.Config;

public class StackConfigLoaderTests
{
    private static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "BadInput");

    [Fact]
    public void The_good_stack_loads_into_typed_records()
    {
        var loaded = ProjectLoader.Load(Dir, "good");
        var config = StackConfigLoader.Load(loaded);

        Assert.Empty(loaded.Diagnostics);
        Assert.Equal("homelab", config.Cluster.Name);
        Assert.Equal("k3s", config.Cluster.Distribution);
        var node = Assert.Single(config.GpuNodes);
        Assert.Equal(("gpu-worker-1", 8, "48Gi"), (node.Name, node.Cpu, node.Memory?.Text));
        Assert.Equal("true", node.Labels["llmctl.dev/gpu"]);
        Assert.Equal("/models", node.ModelDisk);
        Assert.Equal(2, config.Lanes.Items.Count);
        var qwen = config.Lanes.Items[0];
        Assert.Equal((LaneRuntime.LlamaCpp, true, 49152, 1, (int?)null), (qwen.Runtime, qwen.Active, qwen.CtxSize, qwen.Parallel, qwen.Port));
        Assert.Equal(24m * 1024 * 1024 * 1024, qwen.Resources.Limits.Memory!.Value.Value);
        Assert.Null(qwen.Resources.Requests.Memory);
        var gemma = config.Lanes.Items[1];
        Assert.Equal(LaneRuntime.LlamaCpp, gemma.Runtime); // written llama-cpp
        Assert.Equal(["--no-mmap"], gemma.ExtraArgs);
        Assert.False(gemma.Active);
    }

    [Fact]
    public void Other_namespaces_are_left_alone()
    {
        var loaded = ProjectLoader.Load(Dir, "good");
        StackConfigLoader.Load(loaded);
        Assert.Equal("homelab", new Engine.Config.Config(loaded, "kubernetes").Get("context"));
    }

    [Fact]
    public void Project_keys_declared_in_Pulumi_yaml_are_not_unknown_keys()
    {
        var loaded = ProjectLoader.LoadFromText(
            "name: p\nruntime: dotnet\nconfig:\n  adminEmail:\n    type: string\n",
            "config:\n  p:cluster:\n    name: c\n  p:adminEmail: a@b.c\n", "dev");
        Assert.NotNull(StackConfigLoader.TryLoad(loaded, out var diagnostics));
        Assert.Empty(diagnostics);
    }
}
