using System.Globalization;
using System.Text.RegularExpressions;
using Llmctl.Fit.Facts;

namespace Llmctl.Fit.Estimate;

/// <summary>
/// Estimates the GPU memory of model servers from <see cref="ModelFacts"/> alone, following llama.cpp's own allocation
/// rules (reference/vram_fit.md §2–§6): weights per device by tensor placement, the KV cache, recurrent state, the
/// compute buffer, the per-process overhead, and a margin like <c>--fit-target</c>. Every number carries the rule it
/// came from. Entry points: <see cref="Estimate(FitLoad, FitGpu, double)"/> for one lane, <see
/// cref="Estimate(string, IReadOnlyList{FitLoad}, FitGpu, double)"/> for loads resident together on one GPU, and
/// <see cref="MaxContext"/>.
/// </summary>
public static class FitEstimator
{
    /// <summary>llama.cpp <c>--fit-target</c>'s default margin per device.</summary>
    public const double DefaultMarginMiB = 1024;
    /// <summary>CUDA context + cuBLAS workspace per process and device (Unsloth Studio's measured reserve; ~300 MiB with lazy loading).</summary>
    public const double GpuContextMiB = 320;
    /// <summary>vLLM: activation peak, CUDA graphs and context outside weights and KV (GPUStack's "framework overhead").</summary>
    public const double VllmFrameworkMiB = 2048;
    private const double MiB = 1024 * 1024;
    private const int CtxPad = 256;
    /// <summary>ggml moves a host weight's matmul to the GPU (copying the weight) from this batch size on (<c>GGML_OP_OFFLOAD_MIN_BATCH</c>).</summary>
    private const int OpOffloadMinBatch = 32;
    /// <summary>Pipeline-parallel copies of the graph inputs when every layer is on GPUs split across several devices.</summary>
    private const int PipelineCopies = 4;

    public static FitEstimate Estimate(FitLoad load, FitGpu gpu, double marginMiB = DefaultMarginMiB) =>
        Estimate(load.Name, [load], gpu, marginMiB);

    /// <summary>
    /// The loads resident together on <paramref name="gpu"/> (a lane's model, an Ollama server's loaded models, a
    /// router's co-resident presets, several lanes sharing one GPU): their GPU parts are summed per device.
    /// </summary>
    public static FitEstimate Estimate(string subject, IReadOnlyList<FitLoad> loads, FitGpu gpu, double marginMiB = DefaultMarginMiB)
    {
        ArgumentNullException.ThrowIfNull(loads);
        ArgumentNullException.ThrowIfNull(gpu);
        if (gpu.Count < 1) throw new ArgumentException("a lane needs at least one GPU", nameof(gpu));
        var parts = new List<FitPart>();
        var problems = new List<string>();
        var notes = new List<string>();
        var shortfalls = new List<string>();
        foreach (var load in loads)
        {
            var one = load.Settings.Runtime == FitRuntime.Vllm ? Vllm(load, gpu) : LlamaCpp(load, gpu);
            parts.AddRange(one.Parts);
            problems.AddRange(one.Problems);
            notes.AddRange(one.Notes);
            shortfalls.AddRange(one.Shortfalls);
        }
        var budget = (double)gpu.BudgetPerGpuMiB;
        var devices = Enumerable.Range(0, gpu.Count)
            .Select(d => new FitDevice(d, Math.Round(parts.Where(p => p.OnGpu && p.Device == d).Sum(p => p.MiB), 2), budget))
            .ToList();
        return new FitEstimate { Subject = subject, Gpu = gpu, Parts = parts, Devices = devices, MarginMiB = marginMiB, Problems = problems, Notes = notes, Shortfalls = shortfalls };
    }

    /// <summary>
    /// The largest context (a multiple of 256; per slot for Ollama, <c>--max-model-len</c> for vLLM) at which the load
    /// still fits with the margin, up to the model's trained context (or 1M tokens when unknown); null when even 256
    /// tokens do not fit or the settings are refused.
    /// </summary>
    public static int? MaxContext(FitLoad load, FitGpu gpu, double marginMiB = DefaultMarginMiB)
    {
        bool Fits(int ctx) => Estimate(load with { Settings = load.Settings with { CtxSize = ctx } }, gpu, marginMiB).Verdict == FitVerdict.Fits;
        var limit = Math.Max(CtxPad, (load.Model.Facts.TrainedContext ?? 1 << 20) / CtxPad * CtxPad);
        if (!Fits(CtxPad)) return null;
        int lo = 1, hi = limit / CtxPad; // in steps of 256; lo fits
        if (Fits(hi * CtxPad)) return hi * CtxPad;
        while (hi - lo > 1)
        {
            var mid = lo + (hi - lo) / 2;
            if (Fits(mid * CtxPad)) lo = mid; else hi = mid;
        }
        return lo * CtxPad;
    }

    private sealed record LoadResult(List<FitPart> Parts, List<string> Problems, List<string> Notes)
    {
        public List<string> Shortfalls { get; } = [];
    }

    private static long Pad(long value, long to) => (value + to - 1) / to * to;

    private static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string B(double bytes) => F(bytes / MiB) + " MiB";

    // ---------------------------------------------------------------------------------------------------------------
    // llama.cpp (and Ollama, which runs llama-server with -c num_ctx×num_parallel -np num_parallel)

    private static LoadResult LlamaCpp(FitLoad load, FitGpu gpu)
    {
        var facts = load.Model.Facts;
        var s = load.Settings;
        var name = load.Name;
        var parts = new List<FitPart>();
        var problems = new List<string>();
        var notes = new List<string>();
        var n = facts.BlockCount;
        var t = facts.Tensors;
        CheckShape(facts);

        // Context and slots (llama-context.cpp): n_ctx padded to 256; unified: one stream of n_ctx cells; split: per
        // slot pad(n_ctx / n_seq, 256) cells in n_seq streams. Ollama's num_ctx is per slot: it passes num_ctx × P.
        var parallel = Math.Max(1, s.Parallel);
        if (s.Runtime == FitRuntime.Ollama && OllamaSingleSlotArchitectures.Any(a => facts.Architecture.StartsWith(a, StringComparison.Ordinal)) && parallel > 1)
        {
            notes.Add($"{name}: Ollama forces num_parallel 1 for {facts.Architecture} (asked {parallel})");
            parallel = 1;
        }
        var requested = s.CtxSize > 0 ? (long)s.CtxSize : facts.TrainedContext
            ?? throw new ArgumentException($"{load.Model.Name}: no context size given and the model's trained context is unknown");
        if (s.Runtime == FitRuntime.Ollama) requested *= parallel;
        var unified = s.KvUnified ?? false;
        var nCtx = Pad(requested, CtxPad);
        var streams = unified ? 1 : parallel;
        var cellsPerStream = unified ? nCtx : Pad(nCtx / parallel, CtxPad);
        if (!unified) nCtx = cellsPerStream * parallel;
        var contextRule = s.Runtime == FitRuntime.Ollama
            ? $"Ollama: num_ctx {s.CtxSize} x num_parallel {parallel} = -c {requested}"
            : $"-c {requested}";
        notes.Add(unified
            ? $"{name}: {contextRule} padded to {nCtx} cells, one unified stream for {parallel} slot(s)"
            : $"{name}: {contextRule} -> {parallel} stream(s) of pad({nCtx / parallel}, 256) = {cellsPerStream} cells (n_ctx {nCtx})");

        if (s.CacheTypeV.IsQuantized && !s.FlashAttention)
        {
            problems.Add($"{name}: the V cache is {s.CacheTypeV} but flash attention is off; llama.cpp refuses this (\"quantized V cache was requested, but this requires Flash Attention\"): turn flash attention on or use an f16 V cache");
        }

        // Placement of blocks (llama-model.cpp): the last N blocks go to the GPUs; depending on the build the output
        // layer counts inside -ngl first, or only when N exceeds the block count.
        var ngl = Math.Max(0, s.GpuLayers);
        int gpuStart;
        bool outputOnGpu;
        if (s.NglCountsOutputFirst)
        {
            gpuStart = Math.Max(n + 1 - ngl, 0);
            outputOnGpu = ngl >= 1;
        }
        else
        {
            gpuStart = Math.Max(n - ngl, 0);
            outputOnGpu = ngl > n;
        }
        var gpuBlocks = Enumerable.Range(gpuStart, n - gpuStart).ToList();
        var deviceOf = new Dictionary<int, int>();
        for (var j = 0; j < gpuBlocks.Count; j++) deviceOf[gpuBlocks[j]] = (int)((long)j * gpu.Count / gpuBlocks.Count);
        var outputDevice = gpu.Count - 1;
        var nglRule = s.NglCountsOutputFirst
            ? $"-ngl {ngl}: output layer first, then blocks {gpuStart}..{n - 1} (i_gpu_start = max(n_layer + 1 - ngl, 0))"
            : $"-ngl {ngl}: blocks {gpuStart}..{n - 1}, output layer {(outputOnGpu ? "too" : "on the host")} (i_gpu_start = max(n_layer - ngl, 0))";
        if (gpu.Count > 1) nglRule += $"; blocks split evenly over {gpu.Count} GPUs (llama.cpp's default layer split)";

        var overrides = ParseOverrides(s.OverrideTensors, problems, name);
        var gpuWeights = new double[gpu.Count];
        double hostWeights = t.TokenEmbedding;
        double largestHostMatmulPair = 0;
        var expertHostLayers = 0;
        for (var i = 0; i < n; i++)
        {
            double attn = t.AttentionPerLayer[i], dense = t.DenseFfnPerLayer[i], experts = t.ExpertsPerLayer[i], other = t.OtherPerLayer[i];
            if (!deviceOf.TryGetValue(i, out var device))
            {
                hostWeights += attn + dense + experts + other;
                largestHostMatmulPair = Math.Max(largestHostMatmulPair, Math.Max(experts, dense) * 2 / 3);
                if (experts > 0) expertHostLayers++;
                continue;
            }
            var expertsHost = s.CpuMoe || i < s.NCpuMoe ? 1.0 : HostFraction(overrides, ExpertNames(i));
            var denseHost = HostFraction(overrides, DenseNames(i));
            var attnHost = HostFraction(overrides, AttentionNames(i));
            if (experts > 0 && expertsHost > 0) expertHostLayers++;
            var host = experts * expertsHost + dense * denseHost + attn * attnHost;
            hostWeights += host;
            gpuWeights[device] += attn + dense + experts + other - host;
            // The two largest host matrices of a layer live at once when their matmul runs on the GPU (gate and up).
            largestHostMatmulPair = Math.Max(largestHostMatmulPair, Math.Max(experts * expertsHost * 2 / 3, dense * denseHost * 2 / 3));
        }
        // No output.weight (tied embeddings): llama.cpp loads token_embd again on the output device. Facts that do not
        // say so still show it: without output.weight the output class holds only output_norm (n_embd values), far
        // below 1 % of the vocab x n_embd embedding.
        var tied = t.OutputTiedToEmbedding || (t.TokenEmbedding > 0 && t.Output * 100 < t.TokenEmbedding);
        var outputBytes = t.Output + (tied ? t.TokenEmbedding : 0);
        if (outputOnGpu) gpuWeights[outputDevice] += outputBytes; else hostWeights += outputBytes;
        if (gpuBlocks.Count > 0 || outputOnGpu) gpuWeights[0] += t.Other; else hostWeights += t.Other;
        if (t.NextN > 0) notes.Add($"{name}: the MTP/nextn tensors ({B(t.NextN)}) are not counted: llama.cpp loads them only when MTP is on");

        var moeRule = s.CpuMoe ? "; --cpu-moe: every expert tensor on the host"
            : s.NCpuMoe > 0 ? $"; --n-cpu-moe {s.NCpuMoe}: experts of blocks 0..{s.NCpuMoe - 1} on the host"
            : "";
        if (overrides.Count > 0) moeRule += $"; -ot {string.Join(",", s.OverrideTensors)}";
        if (expertHostLayers > 0) moeRule += $" ({expertHostLayers} block(s) with experts on the host)";
        for (var d = 0; d < gpu.Count; d++)
        {
            parts.Add(new FitPart(FitPartKind.WeightsGpu, name, d, gpuWeights[d] / MiB,
                $"tensor bytes by placement: {nglRule}{moeRule}{(tied && outputOnGpu ? "; tied output: token_embd loaded again on the output device" : "")}"));
        }
        parts.Add(new FitPart(FitPartKind.WeightsHost, name, -1, hostWeights / MiB,
            "token_embd stays on the host (CPU_Mapped), with every block, expert or output tensor placed there"));

        // KV cache (llama-kv-cache.cpp, llama_kv_cache_iswa): per layer with its own cache, cells × row bytes of K and V.
        var layout = Layers(facts);
        var swaCellsPerStream = facts.SlidingWindow is { } nSwa && !s.SwaFull
            ? Math.Min(cellsPerStream, Pad((long)nSwa * (unified ? parallel : 1) + s.UBatch, CtxPad))
            : cellsPerStream;
        var kvFull = new double[gpu.Count];
        var kvSwa = new double[gpu.Count];
        int fullLayers = 0, swaLayers = 0;
        long fullRow = 0, swaRow = 0, maxKvRowElements = 0;
        for (var i = 0; i < n; i++)
        {
            if (layout[i] != LayerKind.Attention && layout[i] != LayerKind.SlidingWindow) continue;
            var (kElems, vElems) = KvElements(facts, i, layout[i] == LayerKind.SlidingWindow);
            var row = s.CacheTypeK.RowBytes(kElems) + (vElems > 0 ? s.CacheTypeV.RowBytes(vElems) : 0);
            maxKvRowElements = Math.Max(maxKvRowElements, kElems + vElems);
            var device = deviceOf.TryGetValue(i, out var dv) ? dv : -1; // a CPU layer keeps its KV on the host
            if (layout[i] == LayerKind.SlidingWindow)
            {
                swaLayers++;
                swaRow = row;
                if (device >= 0) kvSwa[device] += (double)row * swaCellsPerStream * streams;
            }
            else
            {
                fullLayers++;
                fullRow = row;
                if (device >= 0) kvFull[device] += (double)row * cellsPerStream * streams;
            }
        }
        var mla = IsMla(facts) ? "; MLA: K only (the latent row), no V" : "";
        for (var d = 0; d < gpu.Count; d++)
        {
            if (fullLayers > 0)
            {
                parts.Add(new FitPart(FitPartKind.Kv, name, d, kvFull[d] / MiB,
                    $"{fullLayers} layer(s) x {cellsPerStream * streams} cells x {fullRow} B (n_head_kv x (k x {s.CacheTypeK} + v x {s.CacheTypeV})){mla}"));
            }
            if (swaLayers > 0)
            {
                parts.Add(new FitPart(FitPartKind.KvSwa, name, d, kvSwa[d] / MiB, s.SwaFull
                    ? $"{swaLayers} SWA layer(s) x {swaCellsPerStream * streams} cells (--swa-full) x {swaRow} B"
                    : $"{swaLayers} SWA layer(s) x {streams} x min({cellsPerStream}, pad(n_swa {facts.SlidingWindow} x {(unified ? parallel : 1)} + ubatch {s.UBatch}, 256)) = {swaCellsPerStream * streams} cells x {swaRow} B"));
            }
        }

        // Recurrent state (llama-memory-recurrent.cpp): per recurrent layer and sequence, (n_embd_r + n_embd_s) f32.
        var recurrentLayers = layout.Count(k => k == LayerKind.Recurrent);
        if (recurrentLayers > 0)
        {
            var (r, st) = RecurrentElements(facts);
            var perLayer = (double)parallel * (r + st) * 4;
            for (var d = 0; d < gpu.Count; d++)
            {
                var onDevice = Enumerable.Range(0, n).Count(i => layout[i] == LayerKind.Recurrent && deviceOf.TryGetValue(i, out var dv) && dv == d);
                parts.Add(new FitPart(FitPartKind.Recurrent, name, d, onDevice * perLayer / MiB,
                    $"{onDevice} recurrent layer(s) x {parallel} seq x (n_embd_r {r} + n_embd_s {st}) x 4 B (f32) = {B(perLayer / parallel)} per layer and sequence"));
            }
        }

        // Compute buffer (the reserved worst-case graph for one ubatch) and the per-process overhead, on every GPU
        // that holds layers.
        var anyOnGpu = gpuBlocks.Count > 0 || outputOnGpu;
        var tokens = (long)Math.Min(s.UBatch, nCtx);
        var (compute, computeRule) = Compute(facts, s, layout, tokens, nCtx, swaCellsPerStream * streams, parallel);
        var wholeOnOneGpu = gpu.Count == 1 && gpuStart == 0 && outputOnGpu && hostWeights == t.TokenEmbedding && gpu.Backend is GpuBackend.Cuda or GpuBackend.Rocm;
        if (wholeOnOneGpu && ComputeGraph.Applies(facts, s, layout, streams))
        {
            var outputs = Outputs(s, parallel, tokens);
            compute = ComputeGraph.PeakBytes(facts, s, tokens, nCtx, outputs);
            computeRule = $"ubatch {tokens}, {outputs} output row(s): ggml's graph allocator (gallocr) replayed over llama.cpp's {facts.Architecture} graph — "
                + $"input copies (the f32 KQ mask {nCtx} x {tokens} first, cast to f16), {(s.CacheTypeK.IsQuantized || s.CacheTypeV.IsQuantized ? "Hadamard rotations for the quantized K/V cache, " : "")}"
                + "outputs allocated before inputs are freed, in place only for ggml_op_can_inplace ops, best-fit free blocks; the high-water mark";
        }
        var opOffload = largestHostMatmulPair > 0 && anyOnGpu && tokens >= OpOffloadMinBatch ? largestHostMatmulPair : 0;
        var pipeline = gpu.Count > 1 && gpuStart == 0 && outputOnGpu;
        var pipelineExtra = pipeline ? (PipelineCopies - 1) * MaskBytes(s, tokens, nCtx) : 0;
        for (var d = 0; d < gpu.Count; d++)
        {
            if (!anyOnGpu) break;
            var rule = computeRule;
            var bytes = compute;
            if (opOffload > 0 && d == 0)
            {
                bytes += opOffload;
                rule += $"; + {B(opOffload)}: copies of the two largest host-resident matrices of a layer, which ggml moves to the GPU for batches >= {OpOffloadMinBatch}";
            }
            if (pipelineExtra > 0)
            {
                bytes += pipelineExtra;
                rule += $"; + {PipelineCopies - 1} more copies of the KQ mask (pipeline parallelism over {gpu.Count} GPUs)";
            }
            parts.Add(new FitPart(FitPartKind.Compute, name, d, bytes / MiB, rule));
        }
        for (var d = 0; d < gpu.Count && anyOnGpu; d++)
        {
            var (overhead, overheadRule) = Overhead(gpu, s, facts, layout, cellsPerStream * streams, deviceOf, d);
            parts.Add(new FitPart(FitPartKind.Overhead, name, d, overhead / MiB, overheadRule));
        }
        return new LoadResult(parts, problems, notes);
    }

    private static readonly string[] OllamaSingleSlotArchitectures = ["qwen35", "qwen3next", "nemotron_h", "lfm2", "mllama", "qwen3vl"];

    private static (double Bytes, string Rule) Overhead(FitGpu gpu, FitSettings s, ModelFacts facts, IReadOnlyList<LayerKind> layout, long cells, Dictionary<int, int> deviceOf, int device)
    {
        if (gpu.Backend == GpuBackend.Metal) return (0, "Metal: no per-process context outside the model (the breakdown's unaccounted is 0)");
        var bytes = GpuContextMiB * MiB;
        var rule = $"{F(GpuContextMiB)} MiB {gpu.Backend.ToString().ToUpperInvariant()} context + cuBLAS/hipBLAS workspace per process";
        if (s.FlashAttention && (s.CacheTypeK.IsQuantized || s.CacheTypeV.IsQuantized) && gpu.Backend is GpuBackend.Cuda or GpuBackend.Rocm)
        {
            long widest = 0;
            for (var i = 0; i < layout.Count; i++)
            {
                if (layout[i] is not (LayerKind.Attention or LayerKind.SlidingWindow) || !deviceOf.TryGetValue(i, out var dv) || dv != device) continue;
                var (k, v) = KvElements(facts, i, layout[i] == LayerKind.SlidingWindow);
                widest = Math.Max(widest, k + v);
            }
            var pool = (double)cells * widest * 2;
            bytes += pool;
            rule += $"; + {B(pool)} memory pool: flash attention dequantizes one layer's whole quantized K and V view to f16 ({cells} cells x {widest} x 2 B)";
        }
        return (bytes, rule);
    }

    /// <summary>Logit rows the graph is reserved for: llama-server min(n_batch, n_parallel); llama.cpp as a library one per ubatch token.</summary>
    private static int Outputs(FitSettings s, int parallel, long tokens) =>
        s.ReservedOutputs ?? (s.Runtime == FitRuntime.LlamaCpp ? Math.Min(s.Batch, parallel) : (int)tokens);

    private static double MaskBytes(FitSettings s, long tokens, long cells) => (double)cells * Pad(tokens, 64) * (s.FlashAttention ? 2 : 4);

    /// <summary>
    /// The compute buffer: the graph's inputs (embeddings of the ubatch, the KQ mask) plus the largest of the phases
    /// that reuse the same scratch — attention, FFN (dense or routed experts), recurrent layers, the output logits.
    /// </summary>
    private static (double Bytes, string Rule) Compute(ModelFacts f, FitSettings s, IReadOnlyList<LayerKind> layout, long tokens, long cells, long swaCells, int parallel)
    {
        const int f32 = 4;
        double e = f.EmbeddingLength;
        var attnLayers = Enumerable.Range(0, f.BlockCount).Where(i => layout[i] is LayerKind.Attention or LayerKind.SlidingWindow).ToList();
        double heads = attnLayers.Count == 0 ? 0 : attnLayers.Max(i => f.HeadCount[i]);
        double kvHeads = attnLayers.Count == 0 ? 0 : attnLayers.Max(i => f.KvHeadCount[i]);
        var (kLen, vLen) = attnLayers.Count == 0 ? (0, 0) : (Math.Max(f.KeyLength, f.KeyLengthSwa ?? 0), Math.Max(f.ValueLength, f.ValueLengthSwa ?? 0));
        var hasFull = layout.Contains(LayerKind.Attention);
        var kvCells = hasFull ? cells : swaCells;
        var mask = MaskBytes(s, tokens, kvCells) + (hasFull && layout.Contains(LayerKind.SlidingWindow) ? MaskBytes(s, tokens, swaCells) : 0);
        var inputs = tokens * e * f32 + mask;
        var stream = 2 * tokens * e * f32; // the residual and the normed copy
        var attention = attnLayers.Count == 0 ? 0
            : stream + tokens * heads * kLen * f32 + tokens * kvHeads * (kLen + vLen) * f32 + tokens * heads * vLen * f32
              + (s.FlashAttention ? 0 : (double)kvCells * tokens * heads * f32);
        // gallocr frees a tensor after its last use, but allocates a node's output before freeing its inputs, and only
        // the ops of ggml_op_can_inplace reuse an input's memory — GGML_OP_GLU (llama.cpp's fused swiglu/geglu) is not
        // one of them: the FFN peaks with gate, up and their GLU product alive (3 x ff), or with the product and the
        // down projection's output alive (ff + n_embd); routed experts per token and used expert.
        double ffn;
        string ffnRule;
        if (f.ExpertCount is > 0 && f.ExpertUsedCount is { } used)
        {
            double expFf = f.ExpertFeedForwardLength ?? 0;
            double shared = (f.ExpertSharedCount ?? 0) * expFf;
            var routed = (double)tokens * used * f32 * Math.Max(3 * expFf, expFf + e);
            ffn = stream + 2.0 * tokens * f.ExpertCount.Value * f32 + Math.Max(routed, tokens * f32 * Math.Max(3 * shared, shared + e));
            ffnRule = $"MoE FFN {tokens} tokens x {used} experts x max(3 x {expFf}, {expFf} + n_embd)";
        }
        else
        {
            double ff = f.FeedForwardLength is { Count: > 0 } list ? list.Max() : 4 * e;
            ffn = stream + tokens * f32 * Math.Max(3 * ff, ff + e);
            ffnRule = $"FFN {tokens} tokens x max(3 x {ff}, {ff} + n_embd)";
        }
        double recurrent = 0;
        if (layout.Contains(LayerKind.Recurrent))
        {
            var conv = (double)(f.SsmInnerSize ?? 0) + 2.0 * (f.SsmGroupCount ?? 0) * (f.SsmStateSize ?? 0);
            recurrent = stream + 4 * tokens * conv * f32;
        }
        // llama-server reserves logits for min(n_batch, n_parallel) outputs; llama.cpp used as a library (Ollama's
        // runner, llama-bench, llama-fit-params) reserves one per ubatch token.
        var outputs = Outputs(s, parallel, tokens);
        var logits = (double)outputs * (f.VocabSize ?? 0) * f32;
        var peak = Math.Max(Math.Max(attention, ffn), Math.Max(recurrent, logits));
        var phase = peak == attention ? (s.FlashAttention ? $"attention (flash) {tokens} x {heads} heads" : $"attention without flash: KQ {kvCells} x {tokens} x {heads} heads x 4 B")
            : peak == ffn ? ffnRule
            : peak == recurrent ? $"recurrent conv/state scratch {tokens} tokens"
            : $"logits {outputs} x {f.VocabSize}";
        return (inputs + peak, $"ubatch {tokens}: inputs (embeddings + {(s.FlashAttention ? "f16" : "f32")} KQ mask {kvCells} x pad({tokens}, 64)) + the largest phase, {phase}");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // vLLM: --gpu-memory-utilization reserves a fraction of each GPU; weights, the KV for one --max-model-len
    // sequence and the activation/graph overhead must fit inside it, and the engine then fills it with KV blocks.

    private static LoadResult Vllm(FitLoad load, FitGpu gpu)
    {
        var facts = load.Model.Facts;
        var s = load.Settings;
        var name = load.Name;
        CheckShape(facts);
        var parts = new List<FitPart>();
        var notes = new List<string>();
        var problems = new List<string>();
        var shortfalls = new List<string>();
        var tp = gpu.Count;
        var maxLen = s.CtxSize > 0 ? s.CtxSize : facts.TrainedContext ?? throw new ArgumentException($"{load.Model.Name}: no max-model-len and no trained context");
        var tokens = Pad(maxLen, s.BlockSize);
        var layout = Layers(facts);
        double perToken = 0;
        for (var i = 0; i < facts.BlockCount; i++)
        {
            if (layout[i] is not (LayerKind.Attention or LayerKind.SlidingWindow)) continue;
            var (k, v) = KvElements(facts, i, layout[i] == LayerKind.SlidingWindow);
            perToken += (k + v) * (double)s.CacheTypeK.BlockBytes / s.CacheTypeK.BlockElements;
        }
        var weights = (double)facts.Tensors.Total / tp;
        var kv = perToken * tokens / tp;
        var reservation = s.GpuMemoryUtilization * gpu.BudgetPerGpuMiB * MiB;
        for (var d = 0; d < tp; d++)
        {
            parts.Add(new FitPart(FitPartKind.WeightsGpu, name, d, weights / MiB, tp > 1 ? $"every tensor, sharded over tensor-parallel {tp}" : "every tensor on the GPU"));
            parts.Add(new FitPart(FitPartKind.Kv, name, d, kv / MiB,
                $"one --max-model-len {maxLen} sequence ({tokens} tokens in blocks of {s.BlockSize}) x {perToken} B/token ({s.CacheTypeK}){(tp > 1 ? $" / {tp}" : "")}"));
            parts.Add(new FitPart(FitPartKind.Overhead, name, d, VllmFrameworkMiB, "activation peak, CUDA graphs and context (GPUStack's 2 GiB framework overhead)"));
            var needed = weights + kv + VllmFrameworkMiB * MiB;
            if (needed <= reservation)
            {
                parts.Add(new FitPart(FitPartKind.Reservation, name, d, (reservation - needed) / MiB,
                    $"the rest of the --gpu-memory-utilization {F(s.GpuMemoryUtilization)} x {gpu.BudgetPerGpuMiB} MiB reservation, filled with KV blocks"));
            }
            else if (d == 0)
            {
                shortfalls.Add($"{name}: vLLM needs {B(needed)} per GPU for weights, one {maxLen}-token sequence and its overhead, but reserves only {B(reservation)} (--gpu-memory-utilization {F(s.GpuMemoryUtilization)}); it stops at startup (\"No available memory for the cache blocks\")");
            }
        }
        notes.Add($"{name}: vLLM takes {B(reservation)} of each GPU whatever the model needs");
        var result = new LoadResult(parts, problems, notes);
        result.Shortfalls.AddRange(shortfalls);
        return result;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Layer typing and per-layer sizes

    internal enum LayerKind { Attention, SlidingWindow, Recurrent, SharedKv, FfnOnly }

    internal static IReadOnlyList<LayerKind> Layers(ModelFacts f)
    {
        var n = f.BlockCount;
        var ownKv = n - Math.Max(0, f.SharedKvLayers ?? 0);
        var hasSsm = f.SsmInnerSize is > 0 && f.SsmStateSize is > 0;
        var kinds = new LayerKind[n];
        for (var i = 0; i < n; i++)
        {
            bool attention = f.FullAttentionInterval is > 0 and var interval ? (i + 1) % interval == 0 : f.KvHeadCount[i] > 0;
            if (attention)
            {
                kinds[i] = i >= ownKv ? LayerKind.SharedKv
                    : f.SlidingWindow is not null && f.SlidingWindowLayers is { } swa && i < swa.Count && swa[i] ? LayerKind.SlidingWindow
                    : LayerKind.Attention;
            }
            else if (hasSsm && !(f.Architecture.StartsWith("nemotron_h", StringComparison.Ordinal) && (f.FeedForwardLength?[i] ?? 0) > 0))
            {
                kinds[i] = LayerKind.Recurrent;
            }
            else
            {
                kinds[i] = LayerKind.FfnOnly;
            }
        }
        return kinds;
    }

    private static bool IsMla(ModelFacts f) => f.KeyLengthMla is > 0 || f.KvLoraRank is > 0;

    /// <summary>K and V elements per cell of layer <paramref name="i"/>: n_head_kv × key/value length; MLA keeps one latent K row and no V.</summary>
    internal static (long K, long V) KvElements(ModelFacts f, int i, bool swa)
    {
        if (IsMla(f))
        {
            // Current GGUFs store the latent row (kv_lora_rank + rope dims) as key_length with one KV head.
            var row = f.KeyLengthMla is > 0 ? (long)f.KvHeadCount[i] * f.KeyLength : (long)(f.KvLoraRank ?? 0) + (f.RopeDimensionCount ?? 64);
            return (row, 0);
        }
        var k = swa ? f.KeyLengthSwa ?? f.KeyLength : f.KeyLength;
        var v = swa ? f.ValueLengthSwa ?? f.ValueLength : f.ValueLength;
        return ((long)f.KvHeadCount[i] * k, (long)f.KvHeadCount[i] * v);
    }

    /// <summary>(n_embd_r, n_embd_s) of a recurrent layer: conv state (d_conv − 1)(d_inner + 2·n_group·d_state) and SSM state d_state·d_inner.</summary>
    internal static (long R, long S) RecurrentElements(ModelFacts f)
    {
        long conv = Math.Max(0, (f.SsmConvKernel ?? 1) - 1), inner = f.SsmInnerSize ?? 0, state = f.SsmStateSize ?? 0, groups = f.SsmGroupCount ?? 0;
        return (conv * (inner + 2 * groups * state), state * inner);
    }

    private static void CheckShape(ModelFacts f)
    {
        var n = f.BlockCount;
        var t = f.Tensors;
        if (f.HeadCount.Count != n || f.KvHeadCount.Count != n || t.AttentionPerLayer.Count != n || t.DenseFfnPerLayer.Count != n
            || t.ExpertsPerLayer.Count != n || t.OtherPerLayer.Count != n)
        {
            throw new ArgumentException($"model facts for {f.Architecture}: the per-layer lists must have block_count ({n}) entries");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // -ot / --override-tensor: "pattern=BUFT" (comma-separated); a CPU target keeps matching tensors in host memory.

    private static List<(Regex Pattern, bool Host)> ParseOverrides(IReadOnlyList<string> entries, List<string> problems, string name)
    {
        var result = new List<(Regex, bool)>();
        foreach (var item in entries.SelectMany(e => e.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var eq = item.LastIndexOf('=');
            if (eq <= 0 || eq == item.Length - 1)
            {
                problems.Add($"{name}: override-tensor '{item}' is not 'pattern=BUFFER' (e.g. blk\\.1[0-9]\\.ffn_.*_exps=CPU)");
                continue;
            }
            try
            {
                var target = item[(eq + 1)..];
                result.Add((new Regex(item[..eq], RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)), target.StartsWith("CPU", StringComparison.OrdinalIgnoreCase)));
            }
            catch (ArgumentException ex)
            {
                problems.Add($"{name}: override-tensor pattern '{item[..eq]}' is not a regular expression: {ex.Message}");
            }
        }
        return result;
    }

    private static double HostFraction(List<(Regex Pattern, bool Host)> overrides, string[] names)
    {
        if (overrides.Count == 0) return 0;
        var host = names.Count(name => overrides.FirstOrDefault(o => o.Pattern.IsMatch(name)) is { Pattern: not null } hit && hit.Host);
        return (double)host / names.Length;
    }

    private static string[] ExpertNames(int i) => [$"blk.{i}.ffn_up_exps.weight", $"blk.{i}.ffn_gate_exps.weight", $"blk.{i}.ffn_down_exps.weight"];

    private static string[] DenseNames(int i) => [$"blk.{i}.ffn_up.weight", $"blk.{i}.ffn_gate.weight", $"blk.{i}.ffn_down.weight"];

    private static string[] AttentionNames(int i) => [$"blk.{i}.attn_q.weight", $"blk.{i}.attn_k.weight", $"blk.{i}.attn_v.weight", $"blk.{i}.attn_output.weight"];
}
