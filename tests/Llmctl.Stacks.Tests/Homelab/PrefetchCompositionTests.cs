using Llmctl.Components.Models;
using Llmctl.Engine.Config;
using Llmctl.Engine.Model;
using Llmctl.Stacks.Config;
using Llmctl.Testing;
using Llmctl.Fit.Lock;

namespace Llmctl.Stacks.Tests.Homelab;

/// <summary><c>lanes.prefetch</c>: one verified download Job per GPU node, and the lanes wait for it.</summary>
public sealed class PrefetchCompositionTests
{
    private const string Image = "docker.io/curlimages/curl:8.11.1@sha256:1111111111111111111111111111111111111111111111111111111111111111";

    private const string LockedFile = """
        version: 1
        models:
          - ref: qwen36-35b-a3b-ud-q4-k-m
            file: Qwen3.6-35B-A3B-UD-Q4_K_M.gguf
            source: https://example.test/Qwen3.6-35B-A3B-UD-Q4_K_M.gguf
            sha256: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
            sizeBytes: 22118387712
          - ref: qwen36-27b-q4-k-m
            file: Qwen3.6-27B-Q4_K_M.gguf
            source: https://example.test/Qwen3.6-27B-Q4_K_M.gguf
            sha256: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
            sizeBytes: 17179869184
        """;

    /// <summary>The homelab's llama.cpp lanes that name a lock entry, with the prefetch switched on.</summary>
    private static StackConfig WithPrefetch()
    {
        var config = StackPipeline.Bind(StackPipeline.Load(RepoFiles.Root, "homelab", environment: _ => null));
        return config with
        {
            // The gateway is not what this test is about (its agent alias names the unlocked gpt-oss lane).
            Gateway = null,
            Lanes = config.Lanes with
            {
                Prefetch = new PrefetchConfig { Image = Image },
                Items = config.Lanes.Items.Where(l => l.Runtime != LaneRuntime.LlamaCpp || l.ModelRef is not null).ToList(),
            },
        };
    }

    [Fact]
    public void One_prefetch_job_per_node_fetches_the_locked_files_and_the_lanes_wait_for_it()
    {
        var locks = ModelLockFile.Parse(LockedFile, "models.lock.yaml");
        var ctx = StackPipeline.Compose("llm-platform", "homelab", WithPrefetch(), locks: locks);

        var prefetch = Assert.Single(ctx.Resources.OfType<ModelPrefetch>());
        Assert.Equal("prefetch-gpu-worker", prefetch.Name);
        Assert.Equal(["qwen36-35b-a3b-ud-q4-k-m", "qwen36-27b-q4-k-m"], prefetch.Args.Models.Select(m => m.Ref));
        Assert.All(ctx.Resources.OfType<LlamaCppLane>(), lane => Assert.Same(prefetch, lane.Args.Prefetch));
    }

    [Fact]
    public void Prefetch_leaves_out_a_model_whose_lock_has_no_checksum_and_the_lane_does_not_wait_for_it()
    {
        var unlocked = ModelLockFile.Load(RepoFiles.Path("models.lock.yaml"));

        var ctx = StackPipeline.Compose("llm-platform", "homelab", WithPrefetch(), locks: unlocked);

        // Nothing unverifiable is downloaded; the model-locks policy reports the unlocked lanes instead.
        Assert.Empty(ctx.Resources.OfType<ModelPrefetch>());
        Assert.All(ctx.Resources.OfType<LlamaCppLane>(), l => Assert.Null(l.Args.Prefetch));
    }
}
