using Llmctl.Fit.Facts;

namespace Llmctl.Fit.Estimate;

/// <summary>
/// The compute buffer of a fully offloaded standard decoder (one GPU, flash attention), found the way llama.cpp finds
/// it: the worst-case graph for one ubatch is built node by node (llama-graph.cpp: <c>build_inp_embd</c>,
/// <c>build_qkv</c>, <c>build_attn</c> with its K/V stores and Hadamard rotations, <c>build_ffn</c> /
/// <c>build_moe_ffn</c>, the output rows) and ggml's graph allocator (ggml-alloc.c, <c>gallocr</c>) is replayed over
/// it: inputs copied to the GPU first, a node's output allocated before its inputs are freed, in place only for the
/// ops of <c>ggml_op_can_inplace</c> on an own, non-view parent with one child and the same layout, best-fit free
/// blocks (the tail block last), neighbours merged on free, 128-byte alignment. The buffer is the high-water mark.
/// Reproduces the MI300X measurements of gpustack/gguf-parser-go#45 (docs/fit.md).
/// </summary>
internal static class ComputeGraph
{
    /// <summary>Architectures whose layers llama.cpp builds as attention (separate Q/K/V, rope) + a gated FFN or routed experts without shared experts.</summary>
    internal static readonly string[] StandardDecoders = ["llama", "qwen2", "qwen3", "qwen3moe", "granite", "granitemoe", "olmoe"];

    /// <summary>CUDA and ROCm buffer alignment (<c>ggml_backend_cuda_buffer_type_get_alignment</c>).</summary>
    private const long Alignment = 128;

    /// <summary>Whether the replay describes this load: a standard decoder, every layer attention, flash attention on, one KV stream.</summary>
    internal static bool Applies(ModelFacts f, FitSettings s, IReadOnlyList<FitEstimator.LayerKind> layout, int streams) =>
        s.Runtime == FitRuntime.LlamaCpp && s.FlashAttention && streams == 1
        && StandardDecoders.Contains(f.Architecture, StringComparer.Ordinal)
        && layout.All(k => k == FitEstimator.LayerKind.Attention)
        && f.KeyLength == f.ValueLength && f.KeyLength > 0
        && (f.ExpertCount is > 0 ? f.ExpertUsedCount is > 0 && f.ExpertFeedForwardLength is > 0 && (f.ExpertSharedCount ?? 0) == 0
            : f.FeedForwardLength is { Count: > 0 });

    /// <summary>The compute buffer in bytes: the allocator's high-water mark over the graph of one ubatch.</summary>
    internal static long PeakBytes(ModelFacts f, FitSettings s, long tokens, long kvCells, long outputs) =>
        Replay(Build(f, s, tokens, kvCells, outputs));

    // ---------------------------------------------------------------------------------------------------------------
    // The graph

    private enum Op { Leaf, Copy, View, Compute, InPlace }

    private sealed class Node(string name, long bytes, Op op, Node[] srcs, string layout)
    {
        public string Name { get; } = name;
        public long Bytes { get; } = bytes;
        public Op Op { get; } = op;
        public Node[] Srcs { get; } = srcs;
        /// <summary>Shape and element size: gallocr reuses a parent in place only with the same layout.</summary>
        public string Layout { get; } = layout;
        public Node? ViewOf { get; init; }
        public bool Output { get; init; }
        public int Children;
        public int Views;
        public bool Own;
        public long Offset;
        public bool Placed;
    }

    private sealed class Graph
    {
        private readonly HashSet<Node> seen = [];
        public List<Node> Nodes { get; } = [];

        /// <summary>ggml_build_forward_expand: sources depth first, left to right, then the node.</summary>
        public void Expand(Node n)
        {
            if (!seen.Add(n)) return;
            foreach (var src in n.Srcs) Expand(src);
            if (n.Op is not (Op.Leaf or Op.Copy)) Nodes.Add(n);
        }
    }

    private static Node Leaf(string name) => new(name, 0, Op.Leaf, [], "");

    private static Node Input(string name, long bytes, string layout = "") => new(name, bytes, Op.Copy, [], layout);

    private static Node New(string name, Op op, int elementBytes, long[] shape, params Node[] srcs) =>
        new(name, shape.Aggregate(1L, (a, b) => a * b) * elementBytes, op, srcs, $"{elementBytes}:{string.Join('x', shape)}");

    private static Node View(string name, Node of) => new(name, 0, Op.View, [of], "") { ViewOf = of.ViewOf ?? of };

    private static Graph Build(ModelFacts f, FitSettings s, long t, long nKv, long nOut)
    {
        const int f32 = 4;
        long e = f.EmbeddingLength, d = f.KeyLength, heads = f.HeadCount.Max(), kvHeads = f.KvHeadCount.Max(), vocab = f.VocabSize ?? 0;
        var g = new Graph();

        // Graph inputs live in host memory; the GPU split gets a copy of each it reads (ggml-backend.cpp's split
        // inputs). The f32 KQ mask (n_kv x n_tokens) is cast to f16 on the GPU for flash attention.
        var embd = Input("inp_embd", t * e * f32, $"4:{e}x{t}");
        var pos = Input("inp_pos", t * 4);
        var kIdxs = Input("k_idxs", t * 8);
        var vIdxs = Input("v_idxs", t * 8);
        var mask = Input("kq_mask", nKv * t * f32);
        var outIds = Input("out_ids", nOut * 4);
        // llama-kv-cache.cpp: a quantized cache rotates Q/K (and V and the attention output) by a Hadamard matrix:
        // K by the largest power of two (from 128) dividing the head size, V by 64.
        var kRotN = 64L;
        while (d % (kRotN * 2) == 0) kRotN *= 2;
        var kRot = s.CacheTypeK.IsQuantized && d % 64 == 0 ? Input("k_rot", kRotN * kRotN * f32) : null;
        var vRot = s.CacheTypeV.IsQuantized && d % 64 == 0 ? Input("v_rot", 64 * 64 * f32) : null;
        var kCache = Leaf("cache_k");
        var vCache = Leaf("cache_v");
        var maskF16 = New("kq_mask_f16", Op.Compute, 2, [nKv, t], mask);

        Node Rotate(Node x, Node? rot, long rotN, long elements, string name) =>
            rot is null ? x : View(name + "_4d", New(name + "_rot", Op.Compute, f32, [rotN, elements / rotN], rot, View(name + "_2d", x)));

        var inpL = f.Architecture.StartsWith("granite", StringComparison.Ordinal)
            ? New("inp_scaled", Op.InPlace, f32, [e, t], embd) // f_embedding_scale
            : embd;
        g.Expand(inpL);
        var moe = f.ExpertCount is > 0;
        for (var il = 0; il < f.BlockCount; il++)
        {
            var last = il == f.BlockCount - 1;
            var inpSa = inpL;
            var x = New($"attn_norm_w{il}", Op.InPlace, f32, [e, t], New($"attn_norm{il}", Op.InPlace, f32, [e, t], inpL));
            // build_qkv: separate projections reshaped to heads (views); rope (or a per-head norm) makes a new tensor.
            Node q = View($"q3d{il}", New($"Qcur{il}", Op.Compute, f32, [heads * d, t], x));
            Node k = View($"k3d{il}", New($"Kcur{il}", Op.Compute, f32, [kvHeads * d, t], x));
            Node v = View($"v3d{il}", New($"Vcur{il}", Op.Compute, f32, [kvHeads * d, t], x));
            q = New($"q_rope{il}", Op.InPlace, f32, [d, heads, t], q, pos);
            k = New($"k_rope{il}", Op.InPlace, f32, [d, kvHeads, t], k, pos);
            q = Rotate(q, kRot, kRotN, d * heads * t, $"q{il}");
            k = Rotate(k, kRot, kRotN, d * kvHeads * t, $"k{il}");
            v = Rotate(v, vRot, 64, d * kvHeads * t, $"v{il}");
            // build_attn: Q, V, K expanded in that order, then the K and V stores (set_rows into the cache).
            g.Expand(q);
            g.Expand(v);
            g.Expand(k);
            g.Expand(new Node($"store_k{il}", 0, Op.View, [kCache, View($"k2d{il}", k), kIdxs], "") { ViewOf = kCache });
            g.Expand(new Node($"store_v{il}", 0, Op.View, [vCache, View($"v2d{il}", v), vIdxs], "") { ViewOf = vCache });
            var fa = New($"fattn{il}", Op.Compute, f32, [d, heads, t],
                View($"q_perm{il}", View($"q4d{il}", q)), View($"k_perm{il}", View($"k_view{il}", kCache)),
                View($"v_perm{il}", View($"v_view{il}", vCache)), maskF16);
            var o = Rotate(View($"kqv2d{il}", fa), vRot, 64, d * heads * t, $"o{il}");
            Node cur = New($"attn_out{il}", Op.Compute, f32, [e, t], o);
            var rows = t;
            if (last)
            {
                // only the output rows go on from the last layer's attention
                rows = nOut;
                cur = New("out_rows", Op.Compute, f32, [e, rows], cur, outIds);
                inpSa = New("out_rows_sa", Op.Compute, f32, [e, rows], inpSa, outIds);
            }
            var ffnInp = New($"ffn_inp{il}", Op.InPlace, f32, [e, rows], cur, inpSa);
            x = New($"ffn_norm_w{il}", Op.InPlace, f32, [e, rows], New($"ffn_norm{il}", Op.InPlace, f32, [e, rows], ffnInp));
            Node ffnOut;
            if (moe)
            {
                long nExp = f.ExpertCount!.Value, used = f.ExpertUsedCount!.Value, ff = f.ExpertFeedForwardLength!.Value;
                var probs = New($"moe_probs{il}", Op.InPlace, f32, [nExp, rows], New($"moe_logits{il}", Op.Compute, f32, [nExp, rows], x));
                var selected = View($"moe_topk{il}", New($"moe_argsort{il}", Op.Compute, 4, [nExp, rows], probs));
                var weights = New($"moe_weights{il}", Op.Compute, f32, [1, used, rows], View($"probs3d{il}", probs), selected);
                g.Expand(weights);
                var x3 = View($"moe_in{il}", x);
                var up = New($"moe_up{il}", Op.Compute, f32, [ff, used, rows], x3, selected);
                var gate = New($"moe_gate{il}", Op.Compute, f32, [ff, used, rows], x3, selected);
                var glu = New($"moe_glu{il}", Op.Compute, f32, [ff, used, rows], gate, up); // GGML_OP_GLU: not in place
                var experts = New($"moe_weighted{il}", Op.InPlace, f32, [e, used, rows],
                    New($"moe_down{il}", Op.Compute, f32, [e, used, rows], glu, selected), weights);
                g.Expand(experts);
                var views = Enumerable.Range(0, (int)used).Select(i => View($"moe_expert{il}_{i}", experts)).ToList();
                views.ForEach(g.Expand);
                ffnOut = views[0];
                for (var i = 1; i < views.Count; i++)
                {
                    ffnOut = New($"moe_sum{il}_{i}", Op.InPlace, f32, [e, rows], ffnOut, views[i]);
                    g.Expand(ffnOut);
                }
            }
            else
            {
                long ff = f.FeedForwardLength!.Max();
                var up = New($"ffn_up{il}", Op.Compute, f32, [ff, rows], x);
                var gate = New($"ffn_gate{il}", Op.Compute, f32, [ff, rows], x);
                ffnOut = New($"ffn_down{il}", Op.Compute, f32, [e, rows], New($"ffn_glu{il}", Op.Compute, f32, [ff, rows], gate, up));
            }
            inpL = New($"l_out{il}", Op.InPlace, f32, [e, rows], ffnOut, ffnInp);
            g.Expand(inpL);
        }
        var norm = new Node("result_norm", e * nOut * f32, Op.InPlace, [New("out_norm", Op.InPlace, f32, [e, nOut], inpL)], $"4:{e}x{nOut}") { Output = true };
        var logits = new Node("result_output", nOut * vocab * f32, Op.Compute, [norm], $"4:{vocab}x{nOut}") { Output = true };
        g.Expand(logits);
        return g;
    }
    // ---------------------------------------------------------------------------------------------------------------
    // The allocator

    private static long Replay(Graph g)
    {
        // The GPU split starts with its input copies, in the order the nodes first read them, the KQ mask's first:
        // that order reproduces Qwen3-0.6B's measured buffer (the embeddings first give 6 MiB less; the MoE cases are
        // the same either way; docs/fit.md).
        var copies = new List<Node>();
        foreach (var src in g.Nodes.SelectMany(n => n.Srcs).Where(n => n.Op == Op.Copy))
        {
            if (!copies.Contains(src)) copies.Add(src);
        }
        copies = [.. copies.Where(c => c.Name == "kq_mask"), .. copies.Where(c => c.Name != "kq_mask")];
        var order = copies.Concat(g.Nodes).ToList();
        foreach (var n in order)
        {
            if (n.ViewOf is { } root) root.Views++;
            foreach (var src in n.Srcs) src.Children++;
        }
        var heap = new BestFitHeap(Alignment);
        foreach (var n in order)
        {
            foreach (var src in n.Srcs) Allocate(src, heap);
            Allocate(n, heap);
            foreach (var p in n.Srcs)
            {
                if (--p.Children > 0 || p.Views > 0) continue;
                if (p.ViewOf is { } root)
                {
                    if (--root.Views == 0 && root.Children == 0 && root.Own) Free(root, heap);
                }
                else if (p.Own)
                {
                    Free(p, heap);
                }
            }
        }
        return heap.HighWater;
    }

    private static void Allocate(Node n, BestFitHeap heap)
    {
        if (n.Op is Op.Leaf or Op.View || n.ViewOf is not null || n.Placed) return;
        n.Placed = true;
        n.Own = true;
        if (n.Op == Op.InPlace)
        {
            foreach (var p in n.Srcs)
            {
                if (!p.Own || p.Output || p.Layout != n.Layout || p.Children != 1 || p.Views != 0) continue;
                n.Offset = p.Offset;
                p.Own = false; // the node took the parent's memory
                return;
            }
        }
        n.Offset = heap.Alloc(n.Bytes);
    }

    private static void Free(Node n, BestFitHeap heap)
    {
        if (n.Output) return; // graph outputs are never freed
        heap.Free(n.Offset, n.Bytes);
        n.Own = false;
    }

    /// <summary>ggml_dyn_tallocr: free blocks sorted by offset, the last one open-ended; best fit among the others, else the last.</summary>
    internal sealed class BestFitHeap(long alignment)
    {
        private readonly List<(long Offset, long Size)> blocks = [(0, long.MaxValue / 2)];

        public long HighWater { get; private set; }

        private long Align(long size) => (size + alignment - 1) / alignment * alignment;

        public long Alloc(long size)
        {
            size = Align(size);
            var best = -1;
            var bestSize = long.MaxValue;
            for (var i = 0; i < blocks.Count - 1; i++)
            {
                if (blocks[i].Size >= size && blocks[i].Size <= bestSize)
                {
                    best = i;
                    bestSize = blocks[i].Size;
                }
            }
            if (best < 0) best = blocks.Count - 1;
            var (offset, free) = blocks[best];
            if (free == size) blocks.RemoveAt(best); else blocks[best] = (offset + size, free - size);
            HighWater = Math.Max(HighWater, offset + size);
            return offset;
        }

        public void Free(long offset, long size)
        {
            size = Align(size);
            for (var i = 0; i < blocks.Count; i++)
            {
                var b = blocks[i];
                if (b.Offset + b.Size == offset)
                {
                    b.Size += size;
                    if (i + 1 < blocks.Count && b.Offset + b.Size == blocks[i + 1].Offset)
                    {
                        b.Size += blocks[i + 1].Size;
                        blocks.RemoveAt(i + 1);
                    }
                    blocks[i] = b;
                    return;
                }
                if (offset + size == b.Offset)
                {
                    b = (offset, b.Size + size);
                    if (i > 0 && blocks[i - 1].Offset + blocks[i - 1].Size == b.Offset)
                    {
                        blocks[i - 1] = (blocks[i - 1].Offset, blocks[i - 1].Size + b.Size);
                        blocks.RemoveAt(i);
                    }
                    else
                    {
                        blocks[i] = b;
                    }
                    return;
                }
            }
            var at = 0;
            while (at < blocks.Count && blocks[at].Offset < offset) at++;
            blocks.Insert(at, (offset, size));
        }
    }
}
