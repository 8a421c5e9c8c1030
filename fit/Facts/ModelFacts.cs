namespace Llmctl.Fit.Facts;

/// <summary>
/// What the VRAM estimator needs to know about a model, read from a GGUF file's metadata and tensor infos (key names in
/// <c>../shared/reference/vram_fit.md</c> §1.4) and recorded in <c>models.lock.yaml</c>, so that no model file is needed
/// at preview time. Every <c>{arch}.*</c> key that may be a per-layer array is kept per layer (a scalar is expanded to
/// <see cref="BlockCount"/> equal entries). Optional facts are null when the file does not carry them.
/// This is the seam between the GGUF reader / <c>llmctl lock</c> (which fill it) and the estimator (which reads it).
/// </summary>
public sealed record ModelFacts
{
    /// <summary><c>general.architecture</c> (<c>qwen35moe</c>, <c>llama</c>, <c>gemma3</c>).</summary>
    public required string Architecture { get; init; }
    /// <summary><c>{arch}.block_count</c> (n_layer), without <c>{arch}.nextn_predict_layers</c>.</summary>
    public required int BlockCount { get; init; }
    /// <summary><c>{arch}.context_length</c>: the trained context (n_ctx_train).</summary>
    public int? TrainedContext { get; init; }
    /// <summary><c>{arch}.embedding_length</c> (n_embd).</summary>
    public required int EmbeddingLength { get; init; }
    /// <summary><c>{arch}.vocab_size</c>, else the length of <c>tokenizer.ggml.tokens</c>.</summary>
    public int? VocabSize { get; init; }
    /// <summary><c>{arch}.attention.head_count</c> per layer.</summary>
    public required IReadOnlyList<int> HeadCount { get; init; }
    /// <summary><c>{arch}.attention.head_count_kv</c> per layer; 0 marks a layer without attention (recurrent).</summary>
    public required IReadOnlyList<int> KvHeadCount { get; init; }
    /// <summary><c>{arch}.attention.key_length</c> (default n_embd / n_head).</summary>
    public required int KeyLength { get; init; }
    /// <summary><c>{arch}.attention.value_length</c> (default n_embd / n_head).</summary>
    public required int ValueLength { get; init; }
    /// <summary>
    /// <c>{arch}.attention.key_length_swa</c> / <c>value_length_swa</c>: the head sizes of sliding-window layers where they
    /// differ from the full-attention layers (Gemma 4: 256 against 512); null: the same as <see cref="KeyLength"/>.
    /// </summary>
    public int? KeyLengthSwa { get; init; }
    public int? ValueLengthSwa { get; init; }
    /// <summary><c>{arch}.attention.sliding_window</c> (n_swa), null when the model has no sliding-window layers.</summary>
    public int? SlidingWindow { get; init; }
    /// <summary>Per layer, true where the layer uses the sliding window (from the pattern key or the architecture's rule).</summary>
    public IReadOnlyList<bool>? SlidingWindowLayers { get; init; }
    /// <summary><c>{arch}.full_attention_interval</c> (qwen3next / qwen35 / qwen35moe: layer i attends iff (i+1) % n == 0).</summary>
    public int? FullAttentionInterval { get; init; }
    /// <summary><c>{arch}.expert_count</c> and <c>{arch}.expert_used_count</c> (MoE), null for dense models.</summary>
    public int? ExpertCount { get; init; }
    public int? ExpertUsedCount { get; init; }
    /// <summary>Recurrent / SSM state sizes (<c>{arch}.ssm.*</c>), null for attention-only models.</summary>
    public int? SsmConvKernel { get; init; }
    public int? SsmInnerSize { get; init; }
    public int? SsmStateSize { get; init; }
    public int? SsmTimeStepRank { get; init; }
    public int? SsmGroupCount { get; init; }
    /// <summary>
    /// <c>{arch}.attention.shared_kv_layers</c> (Gemma 3n / 4): the last this-many layers reuse the KV of earlier layers
    /// and have no cache of their own; null or 0: every attention layer has its own.
    /// </summary>
    public int? SharedKvLayers { get; init; }
    /// <summary><c>{arch}.feed_forward_length</c> per layer (0 marks a layer without an FFN: nemotron_h's mamba layers).</summary>
    public IReadOnlyList<int>? FeedForwardLength { get; init; }
    /// <summary><c>{arch}.expert_feed_forward_length</c> and <c>{arch}.expert_shared_count</c> (MoE).</summary>
    public int? ExpertFeedForwardLength { get; init; }
    public int? ExpertSharedCount { get; init; }
    /// <summary><c>{arch}.nextn_predict_layers</c>: MTP blocks, not counted in <see cref="BlockCount"/> and not loaded unless MTP is on.</summary>
    public int? NextnPredictLayers { get; init; }
    /// <summary><c>{arch}.rope.dimension_count</c> (the rope part of an MLA key row).</summary>
    public int? RopeDimensionCount { get; init; }
    /// <summary>MLA (<c>{arch}.attention.kv_lora_rank</c>, <c>q_lora_rank</c>, <c>key_length_mla</c>, <c>value_length_mla</c>).</summary>
    public int? KvLoraRank { get; init; }
    public int? QLoraRank { get; init; }
    public int? KeyLengthMla { get; init; }
    public int? ValueLengthMla { get; init; }
    /// <summary>Tensor bytes summed by where llama.cpp places them.</summary>
    public required TensorBytes Tensors { get; init; }
}

/// <summary>
/// Tensor byte totals by placement class (sum of real tensor sizes, never a bits-per-weight guess). Per-layer classes
/// are also kept per block index so that <c>-ngl</c> and <c>--n-cpu-moe</c> can place whole layers.
/// </summary>
public sealed record TensorBytes
{
    /// <summary><c>token_embd.*</c>: stays on the host in llama.cpp.</summary>
    public required long TokenEmbedding { get; init; }
    /// <summary><c>output.*</c> and <c>output_norm.*</c>: the output layer, offloaded first by <c>-ngl</c>.</summary>
    public required long Output { get; init; }
    /// <summary>
    /// True when the file has no <c>output.weight</c> (tied embeddings): llama.cpp then loads <c>token_embd</c> a second
    /// time on the output layer's device (<c>TENSOR_DUPLICATED</c>), so the estimator counts it there too.
    /// </summary>
    public bool OutputTiedToEmbedding { get; init; }
    /// <summary><c>blk.N.attn_*</c> (and SSM tensors of recurrent layers), per block.</summary>
    public required IReadOnlyList<long> AttentionPerLayer { get; init; }
    /// <summary>Dense FFN tensors (<c>blk.N.ffn_*</c> that are not experts, shared experts included), per block.</summary>
    public required IReadOnlyList<long> DenseFfnPerLayer { get; init; }
    /// <summary>Routed expert tensors (<c>blk.N.ffn_*_exps.*</c>), per block; what <c>--n-cpu-moe</c> keeps on the host.</summary>
    public required IReadOnlyList<long> ExpertsPerLayer { get; init; }
    /// <summary>Other per-block tensors (norms, biases, …), per block.</summary>
    public required IReadOnlyList<long> OtherPerLayer { get; init; }
    /// <summary>Tensors outside the blocks and not embedding / output (rope factors, …).</summary>
    public required long Other { get; init; }
    /// <summary>
    /// Blocks past <see cref="ModelFacts.BlockCount"/> (<c>{arch}.nextn_predict_layers</c>: MTP / speculative layers), which
    /// llama.cpp loads only when MTP is enabled. 0 for models without them.
    /// </summary>
    public long NextN { get; init; }

    public long Attention => AttentionPerLayer.Sum();
    public long DenseFfn => DenseFfnPerLayer.Sum();
    public long Experts => ExpertsPerLayer.Sum();
    public long Total => TokenEmbedding + Output + Attention + DenseFfn + Experts + OtherPerLayer.Sum() + Other + NextN;
}
