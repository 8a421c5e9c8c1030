using Llmctl.Fit.Facts;

namespace Llmctl.Fit.Tests.Cases;

/// <summary>
/// Model facts for the measured cases of <c>../shared/vram-cases.yaml</c>, each from the public source named beside it.
/// Where a source gives only a total (a file size, llama-bench's model size), the per-class tensor bytes follow the
/// rules of <see cref="Build"/>: the token embedding and output tensors are computed from vocab × n_embd and the ggml
/// type llama.cpp's quantizer gives them, and the rest is spread over the blocks, split between routed experts and the
/// other block tensors by parameter count (equal bits per weight).
/// </summary>
internal static class PublicModels
{
    private const double GiB = 1024.0 * 1024 * 1024;

    /// <summary>Bytes of a vocab × n_embd matrix in a ggml block type (row size = n / block × bytes per block).</summary>
    internal static long Matrix(long rows, long cols, int blockElements, int blockBytes) => rows * (cols / blockElements * blockBytes);

    internal static long Q4K(long rows, long cols) => Matrix(rows, cols, 256, 144);

    internal static long Q6K(long rows, long cols) => Matrix(rows, cols, 256, 210);

    internal static long F16(long rows, long cols) => rows * cols * 2;

    /// <summary>
    /// Facts for a model whose blocks are alike: <paramref name="blockBytes"/> (every tensor but token_embd and output)
    /// is spread evenly over the blocks; <paramref name="expertShare"/> of it is routed experts.
    /// </summary>
    internal static ModelFacts Build(
        string arch, int layers, int embd, int heads, int kvHeads, int headDim, int? vocab, int? trainedContext,
        long tokenEmbedding, long output, long blockBytes, double expertShare = 0, bool tied = false,
        int? ffn = null, int? experts = null, int? expertsUsed = null, int? expertFfn = null, int? sharedExperts = null,
        int? fullAttentionInterval = null, int? ssmConv = null, int? ssmInner = null, int? ssmState = null, int? ssmGroups = null,
        int? slidingWindow = null, Func<int, bool>? isSwa = null, int? keyLengthSwa = null, Func<int, int>? kvHeadsOf = null)
    {
        var perLayer = (double)blockBytes / layers;
        var expertsPerLayer = (long)Math.Round(perLayer * expertShare);
        var restPerLayer = (long)Math.Round(perLayer) - expertsPerLayer;
        return new ModelFacts
        {
            Architecture = arch,
            BlockCount = layers,
            TrainedContext = trainedContext,
            EmbeddingLength = embd,
            VocabSize = vocab,
            HeadCount = Enumerable.Repeat(heads, layers).ToList(),
            KvHeadCount = Enumerable.Range(0, layers).Select(i => kvHeadsOf?.Invoke(i) ?? kvHeads).ToList(),
            KeyLength = headDim,
            ValueLength = headDim,
            KeyLengthSwa = keyLengthSwa,
            ValueLengthSwa = keyLengthSwa,
            SlidingWindow = slidingWindow,
            SlidingWindowLayers = isSwa is null ? null : Enumerable.Range(0, layers).Select(isSwa).ToList(),
            FullAttentionInterval = fullAttentionInterval,
            FeedForwardLength = ffn is null ? null : Enumerable.Repeat(ffn.Value, layers).ToList(),
            ExpertCount = experts,
            ExpertUsedCount = expertsUsed,
            ExpertFeedForwardLength = expertFfn,
            ExpertSharedCount = sharedExperts,
            SsmConvKernel = ssmConv,
            SsmInnerSize = ssmInner,
            SsmStateSize = ssmState,
            SsmGroupCount = ssmGroups,
            Tensors = new TensorBytes
            {
                TokenEmbedding = tokenEmbedding,
                Output = output,
                OutputTiedToEmbedding = tied,
                AttentionPerLayer = Enumerable.Repeat(restPerLayer, layers).ToList(),
                DenseFfnPerLayer = Enumerable.Repeat(0L, layers).ToList(),
                ExpertsPerLayer = Enumerable.Repeat(expertsPerLayer, layers).ToList(),
                OtherPerLayer = Enumerable.Repeat(0L, layers).ToList(),
                Other = 0,
            },
        };
    }

    /// <summary>
    /// Qwen3.6-35B-A3B UD-Q4_K_M (qwen35moe). Architecture: reference/vram_fit.md §1.4 (block_count 40,
    /// full_attention_interval 4, head_count_kv 2, key/value_length 256, ssm conv 4 / state 128 / inner 4096 / groups 16,
    /// n_embd 2048, vocab 248320) and a public GGUF metadata dump of a qwen35moe 35B-A3B file (head_count 16,
    /// expert_count 256, expert_used_count 8, expert_feed_forward_length 512, expert_shared_feed_forward_length 512,
    /// context_length 262144). Size: llama-bench "qwen35moe 35B.A3B Q4_K - Medium | 20.60 GiB | 34.66 B" (the sum of
    /// tensor sizes). Derived: token_embd Q4_K and output Q6_K (llama.cpp's Q4_K_M rules, the token_embd one confirmed
    /// by the Llama-3.1-8B case: 281.81 MiB = Q4_K exactly); experts 256 × 3 × 2048 × 512 parameters per block, their
    /// share of the block parameters (34.66 B − 2 × 248320 × 2048) taken as their share of the block bytes.
    /// </summary>
    internal static ModelFacts Qwen36_35B_A3B_Q4KM()
    {
        const long vocab = 248320, embd = 2048;
        var tokenEmbd = Q4K(vocab, embd);
        var output = Q6K(vocab, embd);
        var total = (long)Math.Round(20.60 * GiB);
        var blockParams = 34.66e9 - 2.0 * vocab * embd;
        var expertShare = 40 * 256.0 * 3 * 2048 * 512 / blockParams;
        return Build("qwen35moe", 40, 2048, 16, 2, 256, (int)vocab, 262144, tokenEmbd, output, total - tokenEmbd - output, expertShare,
            experts: 256, expertsUsed: 8, expertFfn: 512, sharedExperts: 1, fullAttentionInterval: 4,
            ssmConv: 4, ssmInner: 4096, ssmState: 128, ssmGroups: 16);
    }

    /// <summary>
    /// Qwen2.5-7B-Instruct Q4_K_M (qwen2). Architecture (Qwen/Qwen2.5-7B-Instruct config.json): 28 layers, hidden 3584,
    /// 28 heads, 4 KV heads, head 128, intermediate 18944, vocab 152064, untied embeddings, 32768 context. Size: 4.68 GB
    /// (huggingface.co/lmstudio-community/Qwen2.5-7B-Instruct-GGUF @ 2eecdd3, Qwen2.5-7B-Instruct-Q4_K_M.gguf; the file
    /// size stands in for the tensor sum, over by the few MB of metadata). token_embd Q4_K, output Q6_K as above.
    /// </summary>
    internal static ModelFacts Qwen25_7B_Q4KM()
    {
        const long vocab = 152064, embd = 3584;
        var tokenEmbd = Q4K(vocab, embd);
        var output = Q6K(vocab, embd);
        return Build("qwen2", 28, 3584, 28, 4, 128, (int)vocab, 32768, tokenEmbd, output, 4_680_000_000L - tokenEmbd - output, ffn: 18944);
    }

    /// <summary>
    /// Qwen3-30B-A3B in f16 (qwen3moe), as in llama.cpp tools/fit-params/README.md. Architecture (Qwen/Qwen3-30B-A3B
    /// config.json): 48 layers, hidden 2048, 32 heads, 4 KV heads, head 128, 128 experts, 8 used, moe_intermediate 768,
    /// vocab 151936, 40960 context, untied. Bytes are exact for f16: every matrix 2 B per parameter, norms and the router
    /// (ffn_gate_inp, kept f32 by convert_hf_to_gguf) 4 B.
    /// </summary>
    internal static ModelFacts Qwen3_30B_A3B_F16()
    {
        const long vocab = 151936, embd = 2048, layers = 48;
        long attention = F16(embd, 32 * 128) + 2 * F16(embd, 4 * 128) + F16(32 * 128, embd) + 2 * 128 * 4; // q, k, v, o, q/k norms
        long other = 2 * embd * 4 + embd * 128 * 4; // attn/ffn norms, router (f32)
        long experts = 128L * 3 * F16(embd, 768);
        var facts = Build("qwen3moe", (int)layers, (int)embd, 32, 4, 128, (int)vocab, 40960, F16(vocab, embd), F16(vocab, embd) + embd * 4, 0,
            experts: 128, expertsUsed: 8, expertFfn: 768);
        return facts with
        {
            Tensors = facts.Tensors with
            {
                AttentionPerLayer = Enumerable.Repeat(attention, (int)layers).ToList(),
                ExpertsPerLayer = Enumerable.Repeat(experts, (int)layers).ToList(),
                OtherPerLayer = Enumerable.Repeat(other, (int)layers).ToList(),
            },
        };
    }

    /// <summary>
    /// Meta-Llama-3.1-8B-Instruct Q4_K_M (llama). Architecture (meta-llama/Llama-3.1-8B-Instruct config.json): 32 layers,
    /// hidden 4096, 32 heads, 8 KV heads, head 128, intermediate 14336, vocab 128256, 131072 context. Size: the case's
    /// file_gib 4.58 (file size for the tensor sum). token_embd Q4_K, output Q6_K.
    /// </summary>
    internal static ModelFacts Llama31_8B_Q4KM()
    {
        const long vocab = 128256, embd = 4096;
        var tokenEmbd = Q4K(vocab, embd);
        var output = Q6K(vocab, embd);
        return Build("llama", 32, 4096, 32, 8, 128, (int)vocab, 131072, tokenEmbd, output, (long)Math.Round(4.58 * GiB) - tokenEmbd - output, ffn: 14336);
    }

    /// <summary>
    /// Gemma-4-12B Q4_K_M (gemma4), unslothai/unsloth#10489. What public sources give: vocab 262144 (the Gemma 4
    /// tokenizer), sliding window 1024, 48 layers of which 8 global and 40 sliding (the KV log lines), head sizes
    /// 512 global / 256 sliding (key_length / key_length_swa of gemma4 GGUFs, AmesianX/TurboQuant#10), n_embd 3840 with
    /// token_embd Q4_K = the 540.00 MiB CUDA_Host buffer (262144 × 3840 × 144/256 B), tied output. NOT found publicly:
    /// the KV head counts per layer and the file size; the KV heads are taken from the measured buffers (1 global,
    /// 8 sliding), so this case tests the cell rules (262144 full, pad(1024 + 512) = 1536 sliding) but not the head
    /// counts, and the GPU weights are the measured 6776.91 MiB. Every 6th layer (5, 11, …) is global, Gemma's pattern.
    /// head_count 16 is an assumption (Gemma 3 12B's); only the compute buffer reads it, and this case does not measure it.
    /// </summary>
    internal static ModelFacts Gemma4_12B_Q4KM()
    {
        const long vocab = 262144, embd = 3840;
        var tokenEmbd = Q4K(vocab, embd);
        var gpuWeights = (long)Math.Round(6776.91 * 1024 * 1024);
        return Build("gemma4", 48, 3840, 16, 8, 512, (int)vocab, 262144, tokenEmbd, 0, gpuWeights - tokenEmbd, tied: true,
            slidingWindow: 1024, isSwa: i => (i + 1) % 6 != 0, keyLengthSwa: 256, kvHeadsOf: i => (i + 1) % 6 == 0 ? 1 : 8);
    }

    /// <summary>OLMoE-1B-7B (allenai/OLMoE-1B-7B-0924 config.json): 16 layers, hidden 2048, 16 heads and 16 KV heads of 128, 64 experts, 8 used, intermediate 1024, vocab 50304.</summary>
    internal static ModelFacts Olmoe1B7B() =>
        Build("olmoe", 16, 2048, 16, 16, 128, 50304, 4096, 0, 0, 0, experts: 64, expertsUsed: 8, expertFfn: 1024);

    /// <summary>granite-3.0-3b-a800m (ibm-granite/granite-3.0-3b-a800m-instruct config.json): 32 layers, hidden 1536, 24 heads of 64, 8 KV heads, 40 experts, 8 used, intermediate 512, vocab 49155.</summary>
    internal static ModelFacts Granite3B800M() =>
        Build("granitemoe", 32, 1536, 24, 8, 64, 49155, 4096, 0, 0, 0, experts: 40, expertsUsed: 8, expertFfn: 512);

    /// <summary>Qwen3-0.6B (Qwen/Qwen3-0.6B config.json): 28 layers, hidden 1024, 16 heads, 8 KV heads, head_dim 128, intermediate 3072, vocab 151936, tied.</summary>
    internal static ModelFacts Qwen3_0_6B() =>
        Build("qwen3", 28, 1024, 16, 8, 128, 151936, 40960, 0, 0, 0, tied: true, ffn: 3072);
}
