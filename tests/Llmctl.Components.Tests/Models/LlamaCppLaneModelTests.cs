using Llmctl.Components.Models;
using static Llmctl.Components.Tests.Models.ModelTestData;
using Llmctl.Fit.Lock;

namespace Llmctl.Components.Tests.Models;

public sealed class LlamaCppLaneModelTests
{
    private static LlamaCppLane Lane(LlamaCppLaneArgs args, string name = "qwen36-35b-gguf-fast") => Build(() => new LlamaCppLane(name, args));

    private static LlamaCppLaneArgs Router => FastLane with
    {
        ModelFile = null,
        CpuMoeLayers = 8,
        Router = new LlamaCppRouter
        {
            Presets =
            [
                new LlamaCppPreset { Id = "qwen36-35b-fast", ModelFile = "Qwen3.6-35B-A3B-UD-Q4_K_M.gguf", Lock = FastModelLock, LoadOnStartup = true },
                new LlamaCppPreset
                {
                    Id = "qwen36-27b-deep", ModelFile = "Qwen3.6-27B-Q4_K_M.gguf", Lock = DeepModelLock, CtxSize = 32768,
                    CacheTypeV = KvCacheType.Q4_0, GpuLayers = 60, CpuMoe = true,
                },
            ],
        },
    };

    [Fact]
    public void The_deployment_and_its_pods_carry_the_GPU_LLM_label_and_the_model_server_annotation()
    {
        var deployment = Lane(FastLane).Deployment.Object;

        Assert.Equal("true", deployment.Spec.Template.Metadata.Labels["workload.ai/gpu-llm"]);
        Assert.Equal("true", deployment.Metadata.Labels["workload.ai/gpu-llm"]);
        Assert.Equal("true", deployment.Metadata.Annotations["llmctl.io/model-server"]);
        Assert.False(deployment.Spec.Selector.MatchLabels.ContainsKey("workload.ai/gpu-llm"));
    }

    [Fact]
    public void The_deployment_waits_twenty_minutes_for_the_model_to_load_and_keeps_two_revisions()
    {
        var lane = Lane(FastLane);

        Assert.Equal(TimeSpan.FromMinutes(20), lane.Deployment.Options.CustomTimeouts!.Create);
        Assert.Equal(TimeSpan.FromMinutes(20), lane.Deployment.Options.CustomTimeouts!.Update);
        Assert.Equal(2, lane.Deployment.Object.Spec.RevisionHistoryLimit);
    }

    [Fact]
    public void A_longer_model_load_budget_lengthens_the_deployment_timeout()
    {
        var lane = Lane(FastLane with { ModelLoadBudget = TimeSpan.FromMinutes(30) });

        Assert.Equal(TimeSpan.FromMinutes(35), lane.Deployment.Options.CustomTimeouts!.Create);
    }

    [Fact]
    public void A_locked_model_puts_its_sha256_and_size_on_the_deployment()
    {
        var lane = Lane(FastLane with { Lock = FastModelLock });

        var annotations = lane.Deployment.Object.Metadata.Annotations;
        Assert.Equal(new string('a', 64), annotations["llmctl.io/model-file-sha256"]);
        Assert.Equal("22118000000", annotations["llmctl.io/model-file-size-bytes"]);
        Assert.Equal([FastModelLock], lane.Deployment.Annotations.Find<LockedModels>()!.Locks);
    }

    [Fact]
    public void An_unlocked_model_gets_no_checksum_annotations_and_is_reported_as_unlocked()
    {
        var unlocked = FastModelLock with { Sha256 = null, SizeBytes = null };
        var lane = Lane(FastLane with { Lock = unlocked });

        Assert.False(lane.Deployment.Object.Metadata.Annotations.ContainsKey("llmctl.io/model-file-sha256"));
        Assert.Equal([unlocked], lane.Deployment.Annotations.Find<LockedModels>()!.Unlocked);
        Assert.Contains("no sha256 and no sizeBytes", unlocked.UnlockedReason);
    }

    [Fact]
    public void Expert_offload_of_some_layers_adds_n_cpu_moe_after_the_GPU_layers()
    {
        var args = LlamaCppLane.ServerArgs("fast", FastLane with { CpuMoeLayers = 12 }).ToList();

        var at = args.IndexOf("--n-cpu-moe");
        Assert.Equal("12", args[at + 1]);
        Assert.Equal("--n-gpu-layers", args[at - 2]);
        Assert.DoesNotContain("--cpu-moe", args);
    }

    [Fact]
    public void Expert_offload_of_every_layer_adds_cpu_moe()
    {
        var args = LlamaCppLane.ServerArgs("fast", FastLane with { CpuMoe = true });

        Assert.Contains("--cpu-moe", args);
        Assert.DoesNotContain("--n-cpu-moe", args);
    }

    [Fact]
    public void Router_mode_starts_without_a_model_and_points_at_the_models_dir_and_presets()
    {
        var container = Assert.Single(Lane(Router, "qwen36-router").Deployment.Object.Spec.Template.Spec.Containers);

        Assert.Equal(
            [
                "--models-dir", "/models/gguf",
                "--models-max", "1",
                "--models-preset", "/presets/models.ini",
                "--flash-attn", "on",
                "--parallel", "1",
                "--jinja",
                "--host", "0.0.0.0",
                "--port", "8080",
                "--metrics",
            ],
            container.Args);
        Assert.Contains(container.VolumeMounts, m => m.Name == "presets" && m.MountPath == "/presets" && m.ReadOnlyProperty == true);
    }

    [Fact]
    public void The_presets_INI_has_a_section_per_model_with_its_path_context_cache_and_offload()
    {
        var lane = Lane(Router, "qwen36-router");

        Assert.Equal(
            """
            version = 1

            [qwen36-35b-fast]
            model = /models/gguf/Qwen3.6-35B-A3B-UD-Q4_K_M.gguf
            ctx-size = 49152
            cache-type-k = q8_0
            cache-type-v = q8_0
            n-gpu-layers = 999
            n-cpu-moe = 8
            load-on-startup = true

            [qwen36-27b-deep]
            model = /models/gguf/Qwen3.6-27B-Q4_K_M.gguf
            ctx-size = 32768
            cache-type-k = q8_0
            cache-type-v = q4_0
            n-gpu-layers = 60
            cpu-moe = true

            """.ReplaceLineEndings("\n"),
            lane.PresetsIni);
        Assert.Equal(lane.PresetsIni, lane.Presets!.Object.Data["models.ini"]);
        Assert.Equal("qwen36-router-presets",
            Assert.Single(lane.Deployment.Object.Spec.Template.Spec.Volumes, v => v.Name == "presets").ConfigMap.Name);
    }

    [Fact]
    public void A_change_to_the_presets_changes_the_pod_template_so_the_router_restarts()
    {
        static string Checksum(LlamaCppLane lane) => lane.Deployment.Object.Spec.Template.Metadata.Annotations["llmctl.io/config-sha256"];

        var before = Checksum(Lane(Router, "qwen36-router"));
        var after = Checksum(Lane(Router with { CtxSize = 65536 }, "qwen36-router"));

        Assert.NotEqual(before, after);
    }

    [Fact]
    public void Router_mode_serves_each_preset_and_lists_every_locked_file_in_sha256sum_form()
    {
        var lane = Lane(Router, "qwen36-router");

        Assert.Equal(["qwen36-35b-fast", "qwen36-27b-deep"], lane.ModelNames);
        Assert.Equal(
            $"{new string('b', 64)}  Qwen3.6-27B-Q4_K_M.gguf\n{new string('a', 64)}  Qwen3.6-35B-A3B-UD-Q4_K_M.gguf",
            lane.Deployment.Object.Metadata.Annotations["llmctl.io/model-files-sha256"]);
        Assert.Contains(lane.Deployment.Options.DependsOn, r => ReferenceEquals(r, lane.Presets));
    }

    [Fact]
    public void A_lane_with_a_prefetch_waits_for_its_job()
    {
        LlamaCppLane? lane = null;
        ModelPrefetch? prefetch = null;
        Engine.Model.StackContext.Run("llm-platform", "homelab", _ =>
        {
            prefetch = new ModelPrefetch("prefetch-gpu-worker", Prefetch);
            lane = new LlamaCppLane("qwen36-35b-gguf-fast", FastLane with { Lock = FastModelLock, Prefetch = prefetch });
        });

        Assert.Contains(lane!.Deployment.Options.DependsOn, r => ReferenceEquals(r, prefetch!.Job));
    }

    [Fact]
    public void Router_mode_refuses_a_model_file_an_alias_and_an_empty_preset_list()
    {
        var ex = Fails(() => new LlamaCppLane("router", FastLane with { Alias = "x", Router = new LlamaCppRouter { Presets = [] } }));

        Assert.Equal(["modelFile", "alias", "router.presets"], ex.Problems.Select(p => p.Argument));
        Assert.Contains("without -m", ex.Problems[0].Message);
    }

    [Fact]
    public void Duplicate_preset_ids_and_a_zero_models_max_are_refused()
    {
        var preset = new LlamaCppPreset { Id = "fast", ModelFile = "a.gguf" };
        var ex = Fails(() => new LlamaCppLane("router", FastLane with
        {
            ModelFile = null,
            Router = new LlamaCppRouter { MaxModels = 0, Presets = [preset, preset with { ModelFile = "b.gguf" }] },
        }));

        Assert.Equal(["router.maxModels", "router.presets[1].id"], ex.Problems.Select(p => p.Argument));
    }

    [Fact]
    public void Both_expert_offload_settings_at_once_are_refused()
    {
        var problem = Assert.Single(Fails(() => new LlamaCppLane("fast", FastLane with { CpuMoe = true, CpuMoeLayers = 4 })).Problems);

        Assert.Equal("cpuMoe", problem.Argument);
    }

    [Fact]
    public void A_lock_entry_for_another_file_is_refused()
    {
        var problem = Assert.Single(Fails(() => new LlamaCppLane("fast", FastLane with { Lock = DeepModelLock })).Problems);

        Assert.Equal("lock", problem.Argument);
        Assert.Contains("is for Qwen3.6-27B-Q4_K_M.gguf, but the lane serves Qwen3.6-35B-A3B-UD-Q4_K_M.gguf", problem.Message);
    }

    [Fact]
    public void A_prefetch_that_does_not_download_the_lanes_file_is_refused()
    {
        var ex = Fails(() =>
        {
            var prefetch = new ModelPrefetch("prefetch-gpu-worker", Prefetch with { Models = [DeepModelLock] });
            _ = new LlamaCppLane("fast", FastLane with { Lock = FastModelLock, Prefetch = prefetch });
        });

        Assert.Contains("does not download 'qwen36-35b-a3b-ud-q4-k-m'", Assert.Single(ex.Problems).Message);
    }

    [Fact]
    public void Metrics_and_offload_flags_in_extra_args_are_refused()
    {
        var ex = Fails(() => new LlamaCppLane("fast", FastLane with { ExtraArgs = ["--metrics", "--n-cpu-moe", "4"] }));

        Assert.Equal(2, ex.Problems.Count);
        Assert.All(ex.Problems, p => Assert.Equal("extraArgs", p.Argument));
    }
}
