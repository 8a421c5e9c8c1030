using System.Globalization;
using System.Text.RegularExpressions;
using Llmctl.Fit.Facts;

namespace Llmctl.Fit.Gguf;

/// <summary>
/// Fills <see cref="ModelFacts"/> from a model's GGUF file(s) by the key rules of <c>vram_fit.md</c> §1.4: per-layer
/// arrays kept per layer, key/value length defaulting to n_embd / n_head, the sliding-window layer pattern from
/// <c>{arch}.attention.sliding_window_pattern</c> or the architecture's hard-coded period, and tensor bytes summed by
/// placement class from the real tensor sizes. A split model (<c>-00001-of-00003</c>) is one model: metadata from the
/// first shard, tensors from all.
/// </summary>
public static partial class GgufModelFacts
{
    /// <summary>
    /// Architectures whose sliding-window layers llama.cpp fixes in code rather than reading a pattern key:
    /// period n marks layer i as windowed iff <c>i % n &lt; n − 1</c> (<c>llama_hparams::set_swa_pattern</c>), and a default
    /// window where the file may not carry one (llama4's chunked attention: 8192).
    /// </summary>
    private static readonly Dictionary<string, (int Period, int? DefaultWindow)> SwaByArchitecture = new(StringComparer.Ordinal)
    {
        ["gemma2"] = (2, null),
        ["gemma3"] = (6, null),
        ["gemma3n"] = (5, null),
        ["cohere2"] = (4, null),
        ["llama4"] = (4, 8192),
        ["gpt-oss"] = (2, null),
    };

    /// <summary>Architectures whose sliding_window key llama.cpp ignores (phi3 runs without a window).</summary>
    private static readonly HashSet<string> SwaDisabled = new(StringComparer.Ordinal) { "phi3" };

    /// <summary>More blocks than this is a corrupt or hostile file (llama.cpp: <c>LLAMA_MAX_LAYERS</c> = 512).</summary>
    public const int MaxBlocks = 4096;

    /// <summary>Reads the facts of the model in <paramref name="files"/> (one file, or every shard of a split model).</summary>
    public static ModelFacts Read(IReadOnlyList<GgufFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0) throw new ArgumentException("no GGUF files given", nameof(files));
        var shards = OrderShards(files);
        var first = shards[0];
        var arch = first.Architecture
            ?? throw Problem(first, "general.architecture is missing or not a string; it is required");
        if (first["general.type"]?.AsString() is { } type && type != "model")
        {
            throw Problem(first, $"general.type is '{type}': this is not a model (an {type} file has no weights to place)");
        }
        var keys = new Keys(first, arch);

        var blockCountAll = keys.RequiredCount("block_count");
        var nextN = keys.Count("nextn_predict_layers") ?? 0;
        if (nextN > blockCountAll) throw Problem(first, $"{arch}.nextn_predict_layers ({nextN}) is more than {arch}.block_count ({blockCountAll})");
        var n = blockCountAll - nextN;
        if (blockCountAll > MaxBlocks) throw Problem(first, $"{arch}.block_count is {blockCountAll}; no model has more than {MaxBlocks} blocks (llama.cpp's limit is 512)");
        var embedding = keys.RequiredCount("embedding_length");

        var heads = keys.PerLayer("attention.head_count", blockCountAll, n) ?? Enumerable.Repeat(0, n).ToArray();
        var kvHeads = keys.PerLayer("attention.head_count_kv", blockCountAll, n) ?? heads;
        var firstHeads = blockCountAll > 0 ? heads.FirstOrDefault() : 0;
        var defaultHeadDim = firstHeads > 0 ? embedding / firstHeads : 0;
        var (window, swaLayers) = SlidingWindow(keys, arch, n);

        var vocab = keys.Count("vocab_size") ?? first["tokenizer.ggml.tokens"]?.AsArray()?.Count;
        var expertCount = keys.Count("expert_count");
        var expertUsed = keys.Count("expert_used_count");

        return new ModelFacts
        {
            Architecture = arch,
            BlockCount = n,
            TrainedContext = keys.Count("context_length"),
            EmbeddingLength = embedding,
            VocabSize = vocab,
            HeadCount = heads,
            KvHeadCount = kvHeads,
            KeyLength = keys.Count("attention.key_length") ?? defaultHeadDim,
            ValueLength = keys.Count("attention.value_length") ?? defaultHeadDim,
            KeyLengthSwa = keys.Count("attention.key_length_swa"),
            ValueLengthSwa = keys.Count("attention.value_length_swa"),
            SharedKvLayers = keys.Count("attention.shared_kv_layers"),
            FeedForwardLength = keys.PerLayer("feed_forward_length", blockCountAll, n),
            ExpertFeedForwardLength = expertCount is > 0 ? keys.Count("expert_feed_forward_length") : null,
            ExpertSharedCount = expertCount is > 0 ? keys.Count("expert_shared_count") : null,
            NextnPredictLayers = nextN > 0 ? nextN : null,
            RopeDimensionCount = keys.Count("rope.dimension_count"),
            SlidingWindow = window,
            SlidingWindowLayers = swaLayers,
            FullAttentionInterval = keys.Count("full_attention_interval"),
            ExpertCount = expertCount is > 0 ? expertCount : null,
            ExpertUsedCount = expertCount is > 0 && expertUsed is > 0 ? expertUsed : null,
            SsmConvKernel = keys.Count("ssm.conv_kernel"),
            SsmInnerSize = keys.Count("ssm.inner_size"),
            SsmStateSize = keys.Count("ssm.state_size"),
            SsmTimeStepRank = keys.Count("ssm.time_step_rank"),
            SsmGroupCount = keys.Count("ssm.group_count"),
            KvLoraRank = keys.Count("attention.kv_lora_rank"),
            QLoraRank = keys.Count("attention.q_lora_rank"),
            KeyLengthMla = keys.Count("attention.key_length_mla"),
            ValueLengthMla = keys.Count("attention.value_length_mla"),
            Tensors = Bytes(shards, n),
        };
    }

    /// <summary>Reads every file from disk and then the facts.</summary>
    public static ModelFacts Read(IEnumerable<string> paths) => Read(paths.Select(p => GgufFile.Read(p)).ToList());

    /// <summary>
    /// The shard name pattern <c>&lt;base&gt;-00001-of-00003.gguf</c> (llama.cpp's <c>llama_split_path</c>): the base, the
    /// 1-based shard number and the count; null for a file that is not a shard.
    /// </summary>
    public static (string Base, int Number, int Count)? ShardOf(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var m = ShardPattern().Match(Path.GetFileName(fileName));
        if (!m.Success) return null;
        var number = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        var count = int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
        return number >= 1 && count >= 1 && number <= count ? (m.Groups[1].Value, number, count) : null;
    }

    private static List<GgufFile> OrderShards(IReadOnlyList<GgufFile> files)
    {
        if (files.Count == 1 && files[0]["split.count"]?.AsInteger() is null or 1) return [files[0]];
        var byNumber = new SortedDictionary<long, GgufFile>();
        long? count = null;
        foreach (var file in files)
        {
            var no = file["split.no"]?.AsInteger() ?? throw Problem(file, "is given as a shard of a split model but has no split.no");
            var c = file["split.count"]?.AsInteger() ?? throw Problem(file, "is given as a shard of a split model but has no split.count");
            if (count is not null && c != count) throw Problem(file, $"says the model has {c} shards; another shard says {count}");
            count = c;
            if (!byNumber.TryAdd(no, file)) throw Problem(file, $"is shard {no + 1}, like {byNumber[no].Name}");
        }
        var missing = Enumerable.Range(0, (int)Math.Min(count!.Value, int.MaxValue)).Where(i => !byNumber.ContainsKey(i)).Take(5).ToList();
        if (missing.Count > 0 || byNumber.Count != count)
        {
            throw new GgufFormatException($"the split model of {files[0].Name} has {count} shards, but shard(s) {string.Join(", ", missing.Select(i => i + 1))} are not among the files given");
        }
        var tensorsDeclared = byNumber[0]["split.tensors.count"]?.AsInteger();
        var tensorsFound = byNumber.Values.Sum(f => (long)f.Tensors.Count);
        if (tensorsDeclared is not null && tensorsDeclared != tensorsFound)
        {
            throw Problem(byNumber[0], $"split.tensors.count is {tensorsDeclared}, but the {count} shards hold {tensorsFound} tensors");
        }
        return [.. byNumber.Values];
    }

    private static (int? Window, IReadOnlyList<bool>? Layers) SlidingWindow(Keys keys, string arch, int n)
    {
        if (SwaDisabled.Contains(arch)) return (null, null);
        var window = keys.Count("attention.sliding_window");
        var pattern = keys.File[$"{arch}.attention.sliding_window_pattern"];
        bool[]? layers = null;
        if (pattern?.AsArray() is { } array)
        {
            if (array.Count < n) throw Problem(keys.File, $"{arch}.attention.sliding_window_pattern has {array.Count} entries for {n} layers");
            layers = array.AsBools() is { } bools ? bools.Take(n).ToArray()
                : array.AsIntegers() is { } ints ? ints.Take(n).Select(v => v != 0).ToArray()
                : throw Problem(keys.File, $"{arch}.attention.sliding_window_pattern is an array of {array.ElementType}; expected bools or integers");
        }
        else if (pattern?.AsInteger() is { } period)
        {
            if (period < 0 || period > int.MaxValue) throw Problem(keys.File, $"{arch}.attention.sliding_window_pattern is {period}");
            layers = Period((int)period, n);
        }
        else if (SwaByArchitecture.TryGetValue(arch, out var rule))
        {
            window ??= rule.DefaultWindow;
            layers = Period(rule.Period, n);
        }
        if (window is null or 0 || layers is null || !layers.Any(l => l)) return (null, null);
        return (window, layers);
    }

    /// <summary><c>set_swa_pattern(n)</c>: layer i is windowed iff n == 0 or i % n &lt; n − 1.</summary>
    private static bool[] Period(int period, int n) =>
        Enumerable.Range(0, n).Select(i => period == 0 || i % period < period - 1).ToArray();

    private static TensorBytes Bytes(IReadOnlyList<GgufFile> shards, int n)
    {
        try
        {
            return Sum(shards, n);
        }
        catch (OverflowException)
        {
            throw Problem(shards[0], "the tensor sizes add up to more than 2^63 bytes");
        }
    }

    private static TensorBytes Sum(IReadOnlyList<GgufFile> shards, int n)
    {
        long tokenEmbedding = 0, output = 0, other = 0, nextN = 0;
        bool hasTokenEmbedding = false, hasOutputWeight = false;
        var attention = new long[n];
        var dense = new long[n];
        var experts = new long[n];
        var otherPer = new long[n];
        foreach (var shard in shards)
        {
            foreach (var t in shard.Tensors)
            {
                hasTokenEmbedding |= t.Name == "token_embd.weight";
                hasOutputWeight |= t.Name == "output.weight";
                var size = t.ByteSize ?? throw Problem(shard,
                    $"tensor '{GgufReader.Printable(t.Name)}' has ggml type id {t.TypeId}, which this llmctl does not know, so its size is unknown");
                checked
                {
                    switch (Classify(t.Name, n, out var block))
                    {
                        case Placement.TokenEmbedding: tokenEmbedding += size; break;
                        case Placement.Output: output += size; break;
                        case Placement.Attention: attention[block] += size; break;
                        case Placement.DenseFfn: dense[block] += size; break;
                        case Placement.Experts: experts[block] += size; break;
                        case Placement.OtherPerLayer: otherPer[block] += size; break;
                        case Placement.NextN: nextN += size; break;
                        default: other += size; break;
                    }
                }
            }
        }
        _ = checked(tokenEmbedding + output + other + nextN + attention.Sum() + dense.Sum() + experts.Sum() + otherPer.Sum());
        return new TensorBytes
        {
            TokenEmbedding = tokenEmbedding,
            Output = output,
            Other = other,
            NextN = nextN,
            // llama.cpp: no output.weight means the output reuses token_embd (TENSOR_DUPLICATED on the output layer's device).
            OutputTiedToEmbedding = hasTokenEmbedding && !hasOutputWeight,
            AttentionPerLayer = attention,
            DenseFfnPerLayer = dense,
            ExpertsPerLayer = experts,
            OtherPerLayer = otherPer,
        };
    }

    internal enum Placement { TokenEmbedding, Output, Attention, DenseFfn, Experts, OtherPerLayer, NextN, Other }

    /// <summary>
    /// Where llama.cpp places a tensor, by name: <c>token_embd</c> / <c>per_layer_token_embd</c> on the host,
    /// <c>output</c> / <c>output_norm</c> as the output layer, <c>blk.N.*</c> by kind (routed experts <c>ffn_*_exps</c> —
    /// what <c>--n-cpu-moe</c> moves —, norms and biases, attention and SSM mixers, the rest of the FFN), blocks past
    /// n_layer as the MTP (nextn) layers, and anything else as other.
    /// </summary>
    internal static Placement Classify(string name, int n, out int block)
    {
        block = -1;
        var m = BlockPattern().Match(name);
        if (!m.Success)
        {
            if (name.StartsWith("token_embd.", StringComparison.Ordinal) || name.StartsWith("per_layer_token_embd.", StringComparison.Ordinal)) return Placement.TokenEmbedding;
            if (name.StartsWith("output.", StringComparison.Ordinal) || name.StartsWith("output_norm.", StringComparison.Ordinal)) return Placement.Output;
            return Placement.Other;
        }
        if (!int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out block) || block >= n)
        {
            block = -1;
            return Placement.NextN;
        }
        var kind = m.Groups[2].Value;
        var baseName = kind.Split('.')[0];
        if (baseName.StartsWith("ffn_", StringComparison.Ordinal) && (baseName.EndsWith("_exps", StringComparison.Ordinal) || baseName.EndsWith("_chexps", StringComparison.Ordinal)))
        {
            return Placement.Experts;
        }
        if (baseName.EndsWith("_norm", StringComparison.Ordinal) || baseName.Contains("_norm_", StringComparison.Ordinal) || kind.EndsWith(".bias", StringComparison.Ordinal))
        {
            return Placement.OtherPerLayer;
        }
        if (baseName.StartsWith("attn_", StringComparison.Ordinal) || baseName.StartsWith("ssm_", StringComparison.Ordinal)
            || baseName.StartsWith("time_mix_", StringComparison.Ordinal) || baseName.StartsWith("shortconv", StringComparison.Ordinal))
        {
            return Placement.Attention;
        }
        return baseName.StartsWith("ffn_", StringComparison.Ordinal) ? Placement.DenseFfn : Placement.OtherPerLayer;
    }

    private static GgufFormatException Problem(GgufFile file, string problem) => new($"{file.Name}: {problem}");

    [GeneratedRegex(@"^blk\.(\d{1,9})\.(.+)$")]
    private static partial Regex BlockPattern();

    [GeneratedRegex(@"^(.+)-(\d{5})-of-(\d{5})\.gguf$")]
    private static partial Regex ShardPattern();

    /// <summary>Typed access to <c>{arch}.*</c> keys with clear errors.</summary>
    private sealed class Keys(GgufFile file, string arch)
    {
        public GgufFile File => file;

        public int? Count(string key)
        {
            var full = $"{arch}.{key}";
            if (file[full] is not { } value) return null;
            if (value.AsInteger() is { } v && v is >= 0 and <= int.MaxValue) return (int)v;
            if (value.AsArray() is { } array && array.AsIntegers() is { Count: > 0 } items && items.All(i => i == items[0]) && items[0] is >= 0 and <= int.MaxValue)
            {
                return (int)items[0];
            }
            throw Problem(file, $"{full} is {value.Type} {value}; expected a whole number from 0 to {int.MaxValue}");
        }

        public int RequiredCount(string key) => Count(key) ?? throw Problem(file, $"{arch}.{key} is missing; it is required");

        /// <summary>A scalar expanded to <paramref name="n"/> entries, or a per-layer array (of <paramref name="all"/> entries, MTP layers included) cut to n.</summary>
        public int[]? PerLayer(string key, int all, int n)
        {
            var full = $"{arch}.{key}";
            if (file[full] is not { } value) return null;
            if (value.AsArray() is { } array)
            {
                var items = array.AsIntegers() ?? throw Problem(file, $"{full} is an array of {array.ElementType}; expected whole numbers");
                if (items.Count != all && items.Count != n) throw Problem(file, $"{full} has {items.Count} entries; the model has {all} blocks");
                if (items.Any(i => i is < 0 or > int.MaxValue)) throw Problem(file, $"{full} has an entry out of range");
                return items.Take(n).Select(i => (int)i).ToArray();
            }
            return Enumerable.Repeat(Count(key)!.Value, n).ToArray();
        }
    }
}
