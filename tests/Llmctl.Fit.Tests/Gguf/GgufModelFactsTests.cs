using Llmctl.Fit.Gguf;
using Llmctl.Testing;

namespace Llmctl.Fit.Tests.Gguf;

public sealed class GgufModelFactsTests
{
    private const uint F32 = 0, F16 = 1, Q8_0 = 8, Q4_K = 12, Q6_K = 14, MXFP4 = 39;

    [Fact]
    public void The_real_tiny_llama_gives_facts_and_tensor_classes_summing_to_its_tensor_data()
    {
        var path = SharedFiles.RequirePath("upstream", "gguf", "llama-2-tiny-random.gguf");

        var facts = GgufModelFacts.Read([path]);

        // Metadata: llama, 1 block, n_embd 8, 2 heads, no key_length → 8 / 2 = 4.
        Assert.Equal(("llama", 1, 4096, 8, 32000), (facts.Architecture, facts.BlockCount, facts.TrainedContext, facts.EmbeddingLength, facts.VocabSize));
        Assert.Equal([2], facts.HeadCount);
        Assert.Equal([2], facts.KvHeadCount);
        Assert.Equal((4, 4), (facts.KeyLength, facts.ValueLength));
        Assert.Null(facts.SlidingWindow);
        Assert.Null(facts.ExpertCount);
        // Tensors (all F16 but the F32 norms): token_embd 8×32000×2; output 8×32000×2 + output_norm 8×4;
        // attn_q/k/v/output 4 × 8×8×2; ffn_gate/up/down 3 × 8×32×2; attn_norm + ffn_norm 2 × 8×4.
        var t = facts.Tensors;
        Assert.Equal((512_000L, 512_032L, 0L), (t.TokenEmbedding, t.Output, t.Other));
        Assert.Equal([512L], t.AttentionPerLayer);
        Assert.Equal([1536L], t.DenseFfnPerLayer);
        Assert.Equal([0L], t.ExpertsPerLayer);
        Assert.Equal([64L], t.OtherPerLayer);
        Assert.Equal(1_750_560 - 724_416, t.Total); // file length − data offset: every byte of tensor data is classed once
        // The facts the estimator's compute and MLA rules read: llama.feed_forward_length 32, llama.rope.dimension_count 4;
        // output.weight is its own tensor (not tied); no SWA head sizes, shared KV, experts or MTP blocks.
        Assert.Equal([32], facts.FeedForwardLength!);
        Assert.Equal(4, facts.RopeDimensionCount);
        Assert.False(t.OutputTiedToEmbedding);
        Assert.Equal((null, null, null, null, null, null), (facts.KeyLengthSwa, facts.ValueLengthSwa, facts.SharedKvLayers, facts.ExpertFeedForwardLength, facts.ExpertSharedCount, facts.NextnPredictLayers));
    }

    [Theory]
    [InlineData("ggml-vocab-llama-spm.gguf", "llama", 32, 11008, 128)]
    [InlineData("ggml-vocab-gpt-neox.gguf", "gptneox", 44, 24576, 24)]
    [InlineData("ggml-vocab-phi-3.gguf", "phi3", 32, 8192, 96)]
    [InlineData("ggml-vocab-starcoder.gguf", "starcoder2", 30, 12288, null)]
    public void The_real_upstream_files_give_their_feed_forward_length_and_rope_dimensions(string file, string arch, int blocks, int ffn, int? rope)
    {
        var path = SharedFiles.RequirePath("upstream", "gguf", file);

        var facts = GgufModelFacts.Read([path]);

        Assert.Equal((arch, blocks), (facts.Architecture, facts.BlockCount));
        Assert.Equal(Enumerable.Repeat(ffn, blocks), facts.FeedForwardLength!);
        Assert.Equal(rope, facts.RopeDimensionCount);
        Assert.False(facts.Tensors.OutputTiedToEmbedding); // a vocab-only file has no token_embd to tie to
    }

    [Fact]
    public void Swa_head_sizes_shared_kv_layers_expert_ffn_sizes_mtp_layers_and_a_tied_output_are_read_from_their_keys()
    {
        var b = new GgufBuilder().Str("general.architecture", "gemma4")
            .U32("gemma4.block_count", 7).U32("gemma4.nextn_predict_layers", 1).U32("gemma4.embedding_length", 64)
            .U32("gemma4.attention.head_count", 8).U32("gemma4.attention.head_count_kv", 2)
            .U32("gemma4.attention.key_length", 512).U32("gemma4.attention.value_length", 512)
            .U32("gemma4.attention.key_length_swa", 256).U32("gemma4.attention.value_length_swa", 256)
            .U32("gemma4.attention.shared_kv_layers", 2).U32("gemma4.rope.dimension_count", 64)
            .U32s("gemma4.feed_forward_length", 96, 96, 96, 192, 192, 192, 192)
            .U32("gemma4.expert_count", 4).U32("gemma4.expert_used_count", 2)
            .U32("gemma4.expert_feed_forward_length", 48).U32("gemma4.expert_shared_count", 1)
            .Tensor("token_embd.weight", F16, [64, 100]);

        var facts = GgufModelFacts.Read([GgufBuilder.Read(b.Build())]);

        Assert.Equal(6, facts.BlockCount);
        Assert.Equal((256, 256, 2, 64), (facts.KeyLengthSwa, facts.ValueLengthSwa, facts.SharedKvLayers, facts.RopeDimensionCount));
        Assert.Equal([96, 96, 96, 192, 192, 192], facts.FeedForwardLength!); // the MTP block's entry is cut
        Assert.Equal((48, 1, 1), (facts.ExpertFeedForwardLength, facts.ExpertSharedCount, facts.NextnPredictLayers));
        Assert.True(facts.Tensors.OutputTiedToEmbedding); // token_embd and no output.weight
    }

    [Fact]
    public void A_hybrid_moe_model_keeps_per_layer_classes_experts_apart_and_mtp_layers_out_of_the_blocks()
    {
        long[] exps = [256, 64, 8], attn = [256, 512], ssm = [4, 512], norm = [256], inp = [256, 8], shexp = [256, 64], embd = [256, 1000];
        var b = new GgufBuilder()
            .Str("general.architecture", "qwen35moe")
            .U32("qwen35moe.block_count", 5).U32("qwen35moe.nextn_predict_layers", 1)
            .U32("qwen35moe.context_length", 262144).U32("qwen35moe.embedding_length", 256)
            .U32("qwen35moe.attention.head_count", 16).U32("qwen35moe.attention.head_count_kv", 2)
            .U32("qwen35moe.attention.key_length", 256).U32("qwen35moe.attention.value_length", 256)
            .U32("qwen35moe.full_attention_interval", 4)
            .U32("qwen35moe.expert_count", 8).U32("qwen35moe.expert_used_count", 2)
            .U32("qwen35moe.ssm.conv_kernel", 4).U32("qwen35moe.ssm.inner_size", 4096).U32("qwen35moe.ssm.state_size", 128)
            .U32("qwen35moe.ssm.time_step_rank", 32).U32("qwen35moe.ssm.group_count", 16)
            .Tensor("token_embd.weight", Q4_K, embd).Tensor("output.weight", Q6_K, embd).Tensor("output_norm.weight", F32, norm)
            .Tensor("rope_freqs.weight", F32, 64);
        for (var i = 0; i < 5; i++)
        {
            b.Tensor($"blk.{i}.attn_norm.weight", F32, norm)
             .Tensor($"blk.{i}.ffn_gate_exps.weight", MXFP4, exps).Tensor($"blk.{i}.ffn_up_exps.weight", MXFP4, exps)
             .Tensor($"blk.{i}.ffn_down_exps.weight", MXFP4, exps).Tensor($"blk.{i}.ffn_gate_inp.weight", F32, inp)
             .Tensor($"blk.{i}.ffn_up_shexp.weight", Q8_0, shexp);
            if ((i + 1) % 4 == 0) b.Tensor($"blk.{i}.attn_q.weight", Q4_K, attn).Tensor($"blk.{i}.attn_q.bias", F32, 512);
            else b.Tensor($"blk.{i}.ssm_conv1d.weight", F32, ssm).Tensor($"blk.{i}.attn_qkv.weight", Q4_K, attn);
        }

        var facts = GgufModelFacts.Read([GgufBuilder.Read(b.Build())]);

        Assert.Equal(4, facts.BlockCount); // block_count 5 − 1 MTP layer
        Assert.Equal([16, 16, 16, 16], facts.HeadCount);
        Assert.Equal([2, 2, 2, 2], facts.KvHeadCount);
        Assert.Equal((256, 256, 4, 8, 2), (facts.KeyLength, facts.ValueLength, facts.FullAttentionInterval, facts.ExpertCount, facts.ExpertUsedCount));
        Assert.Equal((4, 4096, 128, 32, 16), (facts.SsmConvKernel, facts.SsmInnerSize, facts.SsmStateSize, facts.SsmTimeStepRank, facts.SsmGroupCount));
        var t = facts.Tensors;
        var s = GgufBuilder.SizeOf;
        Assert.Equal(s(Q4_K, embd), t.TokenEmbedding);
        Assert.Equal(s(Q6_K, embd) + s(F32, norm), t.Output);
        Assert.Equal(s(F32, [64]), t.Other);
        Assert.Equal(Enumerable.Repeat(3 * s(MXFP4, exps), 4), t.ExpertsPerLayer);
        Assert.Equal(Enumerable.Repeat(s(F32, inp) + s(Q8_0, shexp), 4), t.DenseFfnPerLayer);
        Assert.Equal([s(F32, ssm) + s(Q4_K, attn), s(F32, ssm) + s(Q4_K, attn), s(F32, ssm) + s(Q4_K, attn), s(Q4_K, attn)], t.AttentionPerLayer);
        Assert.Equal([s(F32, norm), s(F32, norm), s(F32, norm), s(F32, norm) + s(F32, [512])], t.OtherPerLayer);
        // The MTP block (blk.4, with its attention layer) is counted apart.
        Assert.Equal(s(F32, norm) + 3 * s(MXFP4, exps) + s(F32, inp) + s(Q8_0, shexp) + s(F32, ssm) + s(Q4_K, attn), t.NextN);
    }

    [Fact]
    public void Gemma3_gets_its_hard_coded_five_local_one_global_pattern_and_the_default_head_size()
    {
        var facts = Facts(new GgufBuilder().Str("general.architecture", "gemma3")
            .U32("gemma3.block_count", 12).U32("gemma3.embedding_length", 1024).U32("gemma3.attention.head_count", 8)
            .U32("gemma3.attention.sliding_window", 512));

        Assert.Equal(512, facts.SlidingWindow);
        Assert.Equal([true, true, true, true, true, false, true, true, true, true, true, false], facts.SlidingWindowLayers!);
        Assert.Equal((128, 128), (facts.KeyLength, facts.ValueLength)); // 1024 / 8
        Assert.Equal(Enumerable.Repeat(8, 12), facts.KvHeadCount); // head_count_kv defaults to head_count
    }

    [Fact]
    public void A_pattern_key_wins_whether_a_period_or_a_per_layer_array_and_phi3_has_no_window()
    {
        var period = Facts(new GgufBuilder().Str("general.architecture", "exaone4").U32("exaone4.block_count", 4)
            .U32("exaone4.embedding_length", 64).U32("exaone4.attention.head_count", 4)
            .U32("exaone4.attention.sliding_window", 4096).U32("exaone4.attention.sliding_window_pattern", 2));
        var array = Facts(new GgufBuilder().Str("general.architecture", "gemma4").U32("gemma4.block_count", 3)
            .U32("gemma4.embedding_length", 64).U32("gemma4.attention.head_count", 4).U32("gemma4.attention.sliding_window", 1024)
            .Add("gemma4.attention.sliding_window_pattern", GgufValueType.Array, (GgufValueType.Bool, (object)new[] { false, true, true })));
        var phi3 = Facts(new GgufBuilder().Str("general.architecture", "phi3").U32("phi3.block_count", 2)
            .U32("phi3.embedding_length", 64).U32("phi3.attention.head_count", 4).U32("phi3.attention.sliding_window", 2047));
        var gptOss = Facts(new GgufBuilder().Str("general.architecture", "gpt-oss").U32("gpt-oss.block_count", 4)
            .U32("gpt-oss.embedding_length", 64).U32("gpt-oss.attention.head_count", 4).U32("gpt-oss.attention.sliding_window", 128));
        var llama4 = Facts(new GgufBuilder().Str("general.architecture", "llama4").U32("llama4.block_count", 4)
            .U32("llama4.embedding_length", 64).U32("llama4.attention.head_count", 4));

        Assert.Equal([true, false, true, false], period.SlidingWindowLayers!);
        Assert.Equal([false, true, true], array.SlidingWindowLayers!);
        Assert.Equal(1024, array.SlidingWindow);
        Assert.Null(phi3.SlidingWindow);
        Assert.Equal(128, gptOss.SlidingWindow);
        Assert.Equal([true, false, true, false], gptOss.SlidingWindowLayers!);
        Assert.Equal(8192, llama4.SlidingWindow);
        Assert.Equal([true, true, true, false], llama4.SlidingWindowLayers!);
    }

    [Fact]
    public void Per_layer_head_counts_are_kept_and_zero_marks_a_layer_without_attention()
    {
        var facts = Facts(new GgufBuilder().Str("general.architecture", "nemotron_h").U32("nemotron_h.block_count", 4)
            .U32("nemotron_h.embedding_length", 2688).U32("nemotron_h.attention.key_length", 128).U32("nemotron_h.attention.value_length", 128)
            .U32s("nemotron_h.attention.head_count", 32, 32, 32, 32).U32s("nemotron_h.attention.head_count_kv", 0, 2, 0, 0));

        Assert.Equal([0, 2, 0, 0], facts.KvHeadCount);
        Assert.Equal((128, 128), (facts.KeyLength, facts.ValueLength)); // the keys, not 2688 / 32 = 84
    }

    [Fact]
    public void A_split_model_is_one_model_summed_over_its_shards()
    {
        GgufBuilder Shard(int no, params string[] tensors)
        {
            var b = new GgufBuilder().Add("split.no", GgufValueType.UInt16, (ushort)no).Add("split.count", GgufValueType.UInt16, (ushort)3)
                .Add("split.tensors.count", GgufValueType.Int32, 5);
            if (no == 0)
            {
                b.Str("general.architecture", "llama").U32("llama.block_count", 2).U32("llama.embedding_length", 64).U32("llama.attention.head_count", 4);
            }
            foreach (var t in tensors) b.Tensor(t, F16, 64, 64);
            return b;
        }
        var shards = new[]
        {
            GgufBuilder.Read(Shard(1, "blk.0.attn_q.weight", "blk.0.ffn_up.weight").Build(), "m-00002-of-00003.gguf"),
            GgufBuilder.Read(Shard(0, "token_embd.weight").Build(), "m-00001-of-00003.gguf"),
            GgufBuilder.Read(Shard(2, "blk.1.attn_q.weight", "output.weight").Build(), "m-00003-of-00003.gguf"),
        };

        var facts = GgufModelFacts.Read(shards);

        const long T = 64 * 64 * 2;
        Assert.Equal(("llama", 2), (facts.Architecture, facts.BlockCount));
        Assert.Equal((T, T, 5 * T), (facts.Tensors.TokenEmbedding, facts.Tensors.Output, facts.Tensors.Total));
        Assert.Equal([T, T], facts.Tensors.AttentionPerLayer);
        var missing = Assert.Throws<GgufFormatException>(() => GgufModelFacts.Read([shards[0], shards[1]]));
        Assert.Contains("has 3 shards, but shard(s) 3 are not among the files given", missing.Message);
        Assert.Equal(("Qwen3-235B-Q4_K_M", 2, 3), GgufModelFacts.ShardOf("/m/Qwen3-235B-Q4_K_M-00002-of-00003.gguf"));
        Assert.Null(GgufModelFacts.ShardOf("model.gguf"));
    }

    [Fact]
    public void Missing_required_keys_and_unknown_tensor_types_are_named()
    {
        var noBlocks = Assert.Throws<GgufFormatException>(() => Facts(new GgufBuilder().Str("general.architecture", "llama").U32("llama.embedding_length", 8)));
        var noArch = Assert.Throws<GgufFormatException>(() => Facts(new GgufBuilder().U32("llama.block_count", 1)));
        var unknown = Assert.Throws<GgufFormatException>(() => Facts(new GgufBuilder().Str("general.architecture", "llama")
            .U32("llama.block_count", 1).U32("llama.embedding_length", 8).Tensor("blk.0.attn_q.weight", 99, 8)));
        var wrongType = Assert.Throws<GgufFormatException>(() => Facts(new GgufBuilder().Str("general.architecture", "llama")
            .Str("llama.block_count", "many").U32("llama.embedding_length", 8)));

        Assert.Equal("test.gguf: llama.block_count is missing; it is required", noBlocks.Message);
        Assert.Contains("general.architecture is missing", noArch.Message);
        Assert.Contains("tensor 'blk.0.attn_q.weight' has ggml type id 99, which this llmctl does not know", unknown.Message);
        Assert.Contains("llama.block_count is String many; expected a whole number", wrongType.Message);
    }

    private static Facts.ModelFacts Facts(GgufBuilder builder) => GgufModelFacts.Read([GgufBuilder.Read(builder.Build())]);
}
