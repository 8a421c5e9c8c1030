using Llmctl.Fit.Estimate;
using Llmctl.Fit.Facts;
using Llmctl.Fit.Gguf;
using Llmctl.Fit.Tests.Cases;
using Llmctl.Testing;

namespace Llmctl.Fit.Tests;

/// <summary>The estimator's rules one at a time, each against the llama.cpp behaviour it follows (reference/vram_fit.md).</summary>
public sealed class FitEstimatorTests
{
    private const double MiB = 1024 * 1024;
    private static readonly FitGpu Gpu24 = new() { Name = "24 GB", MiBPerGpu = 24576 };

    private static FitEstimate Run(ModelFacts facts, FitSettings settings, FitGpu? gpu = null) =>
        FitEstimator.Estimate(new FitLoad("m", new ModelFactsRef("m", facts), settings), gpu ?? Gpu24);

    private static ModelFacts Llama8B => PublicModels.Llama31_8B_Q4KM();

    [Theory]
    [InlineData(8192, 1, 8192)]
    [InlineData(8000, 1, 8192)] // padded up to 256
    [InlineData(8192, 6, 9216)] // split per slot: pad(8192 / 6, 256) = 1536 cells x 6 (the public log: "rounding down to 9216")
    [InlineData(32768, 10, 33280)] // pad(3276, 256) = 3328 x 10
    public void Context_is_padded_to_256_and_split_per_slot(int ctx, int parallel, int cells)
    {
        var e = Run(Llama8B, new FitSettings { CtxSize = ctx, Parallel = parallel });
        // Llama-3.1-8B f16: 32 layers x 8 KV heads x (128 + 128) x 2 B = 128 KiB per cell
        Assert.Equal(cells * 131072.0 / MiB, e.KvMiB);
    }

    [Fact]
    public void A_unified_cache_holds_ctx_cells_whatever_the_slots()
    {
        var e = Run(Llama8B, new FitSettings { CtxSize = 8192, Parallel = 6, KvUnified = true });
        Assert.Equal(1024, e.KvMiB);
    }

    [Fact]
    public void Ollama_multiplies_num_ctx_by_num_parallel()
    {
        var e = Run(Llama8B, new FitSettings { Runtime = FitRuntime.Ollama, CtxSize = 2048, Parallel = 4 });
        Assert.Equal(1024, e.KvMiB);
    }

    [Fact]
    public void Ollama_runs_hybrid_architectures_with_one_slot()
    {
        var e = Run(PublicModels.Qwen36_35B_A3B_Q4KM(), new FitSettings { Runtime = FitRuntime.Ollama, CtxSize = 4096, Parallel = 4 });
        Assert.Equal(62.8, Math.Round(e.RecurrentMiB, 1));
        Assert.Contains(e.Notes, n => n.Contains("forces num_parallel 1", StringComparison.Ordinal));
    }

    [Fact]
    public void Sliding_window_layers_hold_the_window_times_slots_plus_a_ubatch()
    {
        // gpt-oss-20b shape: 24 layers alternating SWA (window 128) and full, 8 KV heads of 64; llama-cli at 131072.
        var facts = PublicModels.Build("gpt-oss", 24, 2880, 64, 8, 64, 201088, 131072, 0, 0, 0, slidingWindow: 128, isSwa: i => i % 2 == 0);
        var e = Run(facts, new FitSettings { CtxSize = 131072, Parallel = 1 });
        Assert.Equal(3072, e.KvMiB - e.KvSwaMiB); // 12 x 2048 B x 131072
        Assert.Equal(18, e.KvSwaMiB); // 12 x 2048 B x pad(128 + 512, 256) = 768 cells
        var full = Run(facts, new FitSettings { CtxSize = 131072, SwaFull = true });
        Assert.Equal(3072, full.KvSwaMiB);
    }

    [Fact]
    public void MLA_caches_one_latent_K_row_and_no_V()
    {
        // DeepSeek-V3 as converted today: key_length 576 (kv_lora_rank 512 + rope 64), one KV head, 61 layers.
        var facts = PublicModels.Build("deepseek2", 61, 7168, 128, 1, 576, 129280, 163840, 0, 0, 0) with { KvLoraRank = 512, KeyLengthMla = 192, ValueLength = 512 };
        var e = Run(facts, new FitSettings { CtxSize = 4096 });
        Assert.Equal(61 * 1152.0 * 4096 / MiB, e.KvMiB); // 1152 B per token and layer at f16
    }

    [Fact]
    public void Recurrent_state_is_per_sequence_and_per_recurrent_layer()
    {
        var facts = PublicModels.Qwen36_35B_A3B_Q4KM();
        var one = Run(facts, new FitSettings { CtxSize = 4096, Parallel = 1 });
        var four = Run(facts, new FitSettings { CtxSize = 4096, Parallel = 4 });
        Assert.Equal(4 * one.RecurrentMiB, four.RecurrentMiB, 6);
        Assert.Equal(30 * (24576 + 524288) * 4.0 / MiB, one.RecurrentMiB, 6);
    }

    [Fact]
    public void Quantized_K_alone_is_allowed_without_flash_attention_but_quantized_V_is_refused()
    {
        Assert.Equal(FitVerdict.Fits, Run(Llama8B, new FitSettings { CtxSize = 4096, CacheTypeK = CacheType.Q8_0, FlashAttention = false }).Verdict);
        var refused = Run(Llama8B, new FitSettings { CtxSize = 4096, CacheTypeV = CacheType.Q4_0, FlashAttention = false });
        Assert.Equal(FitVerdict.Refused, refused.Verdict);
        Assert.Contains("requires Flash Attention", Assert.Single(refused.Problems));
    }

    [Fact]
    public void Ngl_counts_the_output_layer_first_in_current_builds()
    {
        var facts = Llama8B;
        var one = Run(facts, new FitSettings { CtxSize = 4096, GpuLayers = 1 });
        Assert.Equal(facts.Tensors.Output / MiB, one.WeightsGpuMiB, 3); // only the output layer
        Assert.Equal(0, one.KvMiB); // no block on the GPU, so no KV there
        var old = Run(facts, new FitSettings { CtxSize = 4096, GpuLayers = 1, NglCountsOutputFirst = false });
        Assert.Equal(facts.Tensors.AttentionPerLayer[31] / MiB, old.WeightsGpuMiB, 3); // the last block, output on the host
    }

    [Fact]
    public void Expert_offload_by_count_flag_and_pattern_keeps_experts_on_the_host()
    {
        var facts = PublicModels.Qwen36_35B_A3B_Q4KM();
        var all = Run(facts, new FitSettings { CtxSize = 4096 });
        var perLayer = facts.Tensors.ExpertsPerLayer[0] / MiB;
        var ten = Run(facts, new FitSettings { CtxSize = 4096, NCpuMoe = 10 });
        Assert.Equal(all.WeightsGpuMiB - 10 * perLayer, ten.WeightsGpuMiB, 3);
        var cpu = Run(facts, new FitSettings { CtxSize = 4096, CpuMoe = true });
        Assert.Equal(all.WeightsGpuMiB - 40 * perLayer, cpu.WeightsGpuMiB, 3);
        var pattern = Run(facts, new FitSettings { CtxSize = 4096, OverrideTensors = [@"blk\.([0-9])\.ffn_.*_exps=CPU"] });
        Assert.Equal(ten.WeightsGpuMiB, pattern.WeightsGpuMiB, 3);
        var downOnly = Run(facts, new FitSettings { CtxSize = 4096, OverrideTensors = [@"blk\.([0-9])\.ffn_down_exps=CPU"] });
        Assert.Equal(all.WeightsGpuMiB - 10 * perLayer / 3, downOnly.WeightsGpuMiB, 3);
        Assert.True(ten.ComputeMiB > all.ComputeMiB, "host experts are copied to the GPU for large batches");
    }

    [Fact]
    public void A_bad_override_pattern_is_a_problem_not_a_crash()
    {
        var e = Run(Llama8B, new FitSettings { CtxSize = 4096, OverrideTensors = ["blk\\.([=CPU"] });
        Assert.Equal(FitVerdict.Refused, e.Verdict);
    }

    [Fact]
    public void Tied_output_loads_the_token_embedding_again_on_the_GPU()
    {
        var untied = Llama8B;
        var tied = untied with { Tensors = untied.Tensors with { Output = 0, OutputTiedToEmbedding = true } };
        Assert.Equal(untied.Tensors.TokenEmbedding / MiB, Run(tied, new FitSettings { CtxSize = 4096 }).WeightsGpuMiB - (Run(untied, new FitSettings { CtxSize = 4096 }).WeightsGpuMiB - untied.Tensors.Output / MiB), 3);
    }

    [Fact]
    public void A_file_without_output_weight_is_read_as_tied_even_when_the_facts_do_not_say_so()
    {
        var untied = Llama8B;
        var norm = untied with { Tensors = untied.Tensors with { Output = 4096 * 4 } }; // output_norm only
        var said = untied with { Tensors = untied.Tensors with { Output = 4096 * 4, OutputTiedToEmbedding = true } };
        Assert.Equal(Run(said, new FitSettings { CtxSize = 4096 }).WeightsGpuMiB, Run(norm, new FitSettings { CtxSize = 4096 }).WeightsGpuMiB);
    }

    [Fact]
    public void A_split_lane_puts_half_the_layers_and_their_KV_on_each_GPU()
    {
        var e = Run(Llama8B, new FitSettings { CtxSize = 8192 }, Gpu24 with { Count = 2 });
        Assert.Equal(2, e.Devices.Count);
        var kv = e.Parts.Where(p => p.Kind == FitPartKind.Kv).Select(p => p.MiB).ToList();
        Assert.Equal([512.0, 512.0], kv);
        Assert.Equal(1024, e.KvMiB);
    }

    [Fact]
    public void Loads_resident_together_are_summed()
    {
        var load = new FitLoad("a", new ModelFactsRef("a", Llama8B), new FitSettings { CtxSize = 8192 });
        var one = FitEstimator.Estimate(load, Gpu24);
        var two = FitEstimator.Estimate("both", [load, load with { Name = "b" }], Gpu24);
        Assert.Equal(2 * one.TotalMiB, two.TotalMiB, 1);
    }

    [Fact]
    public void Unified_memory_on_ROCm_counts_the_GTT_and_on_Vulkan_only_the_carve_out()
    {
        var rocm = new FitGpu { Name = "halo", MiBPerGpu = 96 * 1024, Backend = GpuBackend.Rocm, UnifiedMemory = true, GttMiB = 16 * 1024 };
        Assert.Equal(112 * 1024, Run(Llama8B, new FitSettings { CtxSize = 4096 }, rocm).BudgetMiB);
        Assert.Equal(96 * 1024, Run(Llama8B, new FitSettings { CtxSize = 4096 }, rocm with { Backend = GpuBackend.Vulkan }).BudgetMiB);
    }

    [Fact]
    public void VLLM_needs_weights_and_one_max_model_len_sequence_inside_its_reservation()
    {
        var facts = Llama8B;
        var fits = Run(facts, new FitSettings { Runtime = FitRuntime.Vllm, CtxSize = 32768, GpuMemoryUtilization = 0.9, CacheTypeK = CacheType.Bf16 });
        Assert.Equal(FitVerdict.Fits, fits.Verdict);
        Assert.Equal(0.9 * 24576, fits.TotalMiB, 1); // the engine takes its whole reservation
        var tooLong = Run(facts, new FitSettings { Runtime = FitRuntime.Vllm, CtxSize = 1 << 20, GpuMemoryUtilization = 0.9, CacheTypeK = CacheType.Bf16 });
        Assert.Equal(FitVerdict.DoesNotFit, tooLong.Verdict);
        Assert.Contains("No available memory for the cache blocks", Assert.Single(tooLong.Shortfalls));
    }

    [Fact]
    public void The_margin_separates_fits_from_inside_margin()
    {
        var load = new FitLoad("m", new ModelFactsRef("m", Llama8B), new FitSettings { CtxSize = 8192 });
        var total = FitEstimator.Estimate(load, Gpu24).TotalMiB;
        var tight = Gpu24 with { MiBPerGpu = (long)Math.Ceiling(total) + 100 };
        Assert.Equal(FitVerdict.InsideMargin, FitEstimator.Estimate(load, tight).Verdict);
        Assert.Equal(FitVerdict.Fits, FitEstimator.Estimate(load, tight, marginMiB: 50).Verdict);
        Assert.Equal(FitVerdict.DoesNotFit, FitEstimator.Estimate(load, tight with { MiBPerGpu = (long)total - 1 }).Verdict);
    }

    [Fact]
    public void Max_context_is_the_last_step_of_256_that_fits()
    {
        var load = new FitLoad("m", new ModelFactsRef("m", Llama8B), new FitSettings { CtxSize = 4096 });
        var max = FitEstimator.MaxContext(load, Gpu24)!.Value;
        Assert.Equal(0, max % 256);
        Assert.Equal(FitVerdict.Fits, FitEstimator.Estimate(load with { Settings = load.Settings with { CtxSize = max } }, Gpu24).Verdict);
        if (max < 131072) Assert.NotEqual(FitVerdict.Fits, FitEstimator.Estimate(load with { Settings = load.Settings with { CtxSize = max + 256 } }, Gpu24).Verdict);
        Assert.Null(FitEstimator.MaxContext(load, Gpu24 with { MiBPerGpu = 2048 }));
    }

    /// <summary>A real upstream GGUF (real llama architecture, random weights): the estimate follows from its own metadata.</summary>
    [Fact]
    public void A_real_GGUF_file_is_estimated_from_its_own_metadata()
    {
        var path = SharedFiles.RequirePath("upstream", "gguf", "llama-2-tiny-random.gguf");
        var facts = GgufModelFacts.Read([GgufFile.Read(path)]);
        var e = Run(facts, new FitSettings { CtxSize = 1024 });
        var perCell = Enumerable.Range(0, facts.BlockCount).Sum(i => facts.KvHeadCount[i] * (facts.KeyLength + facts.ValueLength) * 2.0);
        Assert.Equal(1024 * perCell / MiB, e.KvMiB, 6);
        Assert.Equal((facts.Tensors.Total - facts.Tensors.TokenEmbedding - facts.Tensors.NextN) / MiB, e.WeightsGpuMiB, 6);
        Assert.Equal(facts.Tensors.TokenEmbedding / MiB, e.WeightsHostMiB, 6);
    }
    [Fact]
    public void The_graph_allocator_takes_the_smallest_hole_that_fits_and_merges_freed_neighbours()
    {
        // ggml_dyn_tallocr: best fit among the free blocks before the open-ended tail (the later of equal blocks), else the tail.
        var heap = new ComputeGraph.BestFitHeap(128);
        var a = heap.Alloc(100);
        var b = heap.Alloc(256);
        var c = heap.Alloc(128);
        var d = heap.Alloc(512);
        Assert.Equal([0L, 128L, 384L, 512L], new[] { a, b, c, d });
        Assert.Equal(1024, heap.HighWater);
        heap.Free(a, 100);
        heap.Free(c, 128);
        Assert.Equal(384, heap.Alloc(100)); // two 128-byte holes: the later one
        heap.Free(b, 256); // merges with the hole at 0: [0, 384)
        Assert.Equal(0, heap.Alloc(300));
        Assert.Equal(1024, heap.HighWater);
        Assert.Equal(1024, heap.Alloc(1000)); // no hole holds it: the tail grows the buffer
        Assert.Equal(2048, heap.HighWater);
    }

    [Fact]
    public void The_replayed_graph_is_used_only_where_it_describes_the_server()
    {
        var facts = PublicModels.Qwen3_0_6B();
        var rocm = new FitGpu { Name = "MI300X", MiBPerGpu = 196592, Backend = GpuBackend.Rocm };
        var q8 = new FitSettings { CtxSize = 4096, CacheTypeK = CacheType.Q8_0, CacheTypeV = CacheType.Q8_0, UBatch = 512 };
        static string Rule(FitEstimate e) => e.Parts.Single(p => p.Kind == FitPartKind.Compute).Rule;
        var full = Run(facts, q8, rocm);
        Assert.Contains("graph allocator", Rule(full), StringComparison.Ordinal);
        Assert.Contains("Hadamard", Rule(full), StringComparison.Ordinal); // a quantized cache rotates Q, K, V and the output
        Assert.DoesNotContain("Hadamard", Rule(Run(facts, q8 with { CacheTypeK = CacheType.F16, CacheTypeV = CacheType.F16 }, rocm)), StringComparison.Ordinal);
        // partial offload, flash attention off, per-slot streams, Ollama, Metal and hybrid models keep the analytic rule
        Assert.DoesNotContain("graph allocator", Rule(Run(facts, q8 with { GpuLayers = 10 }, rocm)), StringComparison.Ordinal);
        Assert.DoesNotContain("graph allocator", Rule(Run(facts, q8 with { FlashAttention = false, CacheTypeV = CacheType.F16 }, rocm)), StringComparison.Ordinal);
        Assert.DoesNotContain("graph allocator", Rule(Run(facts, q8 with { Parallel = 2 }, rocm)), StringComparison.Ordinal);
        Assert.Contains("graph allocator", Rule(Run(facts, q8 with { Parallel = 2, KvUnified = true }, rocm)), StringComparison.Ordinal);
        Assert.DoesNotContain("graph allocator", Rule(Run(facts, q8 with { Runtime = FitRuntime.Ollama }, rocm)), StringComparison.Ordinal);
        Assert.DoesNotContain("graph allocator", Rule(Run(facts, q8, rocm with { Backend = GpuBackend.Metal })), StringComparison.Ordinal);
        Assert.DoesNotContain("graph allocator", Rule(Run(PublicModels.Qwen36_35B_A3B_Q4KM(), q8, rocm)), StringComparison.Ordinal);
    }

    [Fact]
    public void The_replayed_compute_buffer_grows_with_the_ubatch_and_the_context()
    {
        var facts = PublicModels.Olmoe1B7B();
        var baseline = Run(facts, new FitSettings { CtxSize = 4096, CacheTypeK = CacheType.Q8_0, CacheTypeV = CacheType.Q8_0 }).ComputeMiB;
        Assert.True(Run(facts, new FitSettings { CtxSize = 4096, CacheTypeK = CacheType.Q8_0, CacheTypeV = CacheType.Q8_0, UBatch = 1024 }).ComputeMiB > 1.9 * baseline);
        // the f32 KQ mask copy (cells x ubatch x 4 B) and its f16 cast grow with the context
        var longer = Run(facts, new FitSettings { CtxSize = 8192, CacheTypeK = CacheType.Q8_0, CacheTypeV = CacheType.Q8_0 }).ComputeMiB;
        Assert.True(longer >= baseline + 4096 * 512 * 4 / MiB, $"{longer} vs {baseline}");
    }
}
