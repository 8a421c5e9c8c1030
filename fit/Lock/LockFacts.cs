using System.Globalization;
using System.Text;
using Llmctl.Fit.Facts;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Fit.Lock;

/// <summary>
/// The <c>facts:</c> block of a lock entry: <see cref="ModelFacts"/> under the camelCase names of its properties, the
/// tensor byte totals under <c>tensors:</c>. A per-layer list may be written as one number when every layer has the same
/// value (the writer does so); null facts are left out.
/// </summary>
public static class LockFacts
{
    private static readonly string[] FactKeys =
    [
        "architecture", "blockCount", "trainedContext", "embeddingLength", "vocabSize", "headCount", "kvHeadCount",
        "keyLength", "valueLength", "keyLengthSwa", "valueLengthSwa", "slidingWindow", "slidingWindowLayers", "fullAttentionInterval",
        "expertCount", "expertUsedCount", "ssmConvKernel", "ssmInnerSize", "ssmStateSize", "ssmTimeStepRank", "ssmGroupCount",
        "sharedKvLayers", "feedForwardLength", "expertFeedForwardLength", "expertSharedCount", "nextnPredictLayers", "ropeDimensionCount",
        "kvLoraRank", "qLoraRank", "keyLengthMla", "valueLengthMla", "tensors",
    ];

    private static readonly string[] TensorKeys =
        ["tokenEmbedding", "output", "outputTiedToEmbedding", "other", "nextN", "attentionPerLayer", "denseFfnPerLayer", "expertsPerLayer", "otherPerLayer"];

    internal static ModelFacts? Read(YamlNode node, string path, ModelLockFile.Bag bag)
    {
        if (node is not YamlMappingNode map)
        {
            bag.Add(node, path, "expected a map of model facts (architecture, blockCount, … tensors)");
            return null;
        }
        var before = bag.Items.Count;
        ModelLockFile.Keys(map, path, bag, FactKeys);
        var arch = ModelLockFile.OptionalString(map, "architecture");
        if (arch is null) bag.Add(ModelLockFile.Child(map, "architecture") ?? map, $"{path}.architecture", "is missing", "write general.architecture, e.g. llama");
        var blocks = Required(map, "blockCount", path, bag);
        var embedding = Required(map, "embeddingLength", path, bag);
        var keyLength = Required(map, "keyLength", path, bag);
        var valueLength = Required(map, "valueLength", path, bag);
        int? Opt(string key) => ModelLockFile.OptionalCount(map, key, path, bag, positive: false);
        var n = blocks ?? 0;
        var heads = IntLayers(map, "headCount", path, n, bag, required: true);
        var kvHeads = IntLayers(map, "kvHeadCount", path, n, bag, required: true);
        var swaLayers = BoolLayers(map, "slidingWindowLayers", path, n, bag);
        var ffn = IntLayers(map, "feedForwardLength", path, n, bag, required: false);

        TensorBytes? tensors = null;
        if (ModelLockFile.Child(map, "tensors") is not YamlMappingNode t)
        {
            bag.Add(ModelLockFile.Child(map, "tensors") ?? map, $"{path}.tensors", ModelLockFile.Child(map, "tensors") is null ? "is missing" : "expected a map of tensor byte totals",
                "run llmctl lock on the GGUF file to record them");
        }
        else
        {
            var tp = $"{path}.tensors";
            ModelLockFile.Keys(t, tp, bag, TensorKeys);
            var embd = Bytes(t, "tokenEmbedding", tp, bag, required: true);
            var output = Bytes(t, "output", tp, bag, required: true);
            var other = Bytes(t, "other", tp, bag, required: true);
            var nextN = Bytes(t, "nextN", tp, bag, required: false);
            var tied = Bool(t, "outputTiedToEmbedding", tp, bag);
            var attn = LongLayers(t, "attentionPerLayer", tp, n, bag);
            var dense = LongLayers(t, "denseFfnPerLayer", tp, n, bag);
            var exps = LongLayers(t, "expertsPerLayer", tp, n, bag);
            var otherPer = LongLayers(t, "otherPerLayer", tp, n, bag);
            if (embd is not null && output is not null && other is not null && attn is not null && dense is not null && exps is not null && otherPer is not null)
            {
                tensors = new TensorBytes
                {
                    TokenEmbedding = embd.Value, Output = output.Value, Other = other.Value, NextN = nextN ?? 0, OutputTiedToEmbedding = tied ?? false,
                    AttentionPerLayer = attn, DenseFfnPerLayer = dense, ExpertsPerLayer = exps, OtherPerLayer = otherPer,
                };
            }
        }
        var facts = new ModelFacts
        {
            Architecture = arch ?? "",
            BlockCount = n,
            TrainedContext = Opt("trainedContext"),
            EmbeddingLength = embedding ?? 0,
            VocabSize = Opt("vocabSize"),
            HeadCount = heads ?? [],
            KvHeadCount = kvHeads ?? [],
            KeyLength = keyLength ?? 0,
            ValueLength = valueLength ?? 0,
            KeyLengthSwa = Opt("keyLengthSwa"),
            ValueLengthSwa = Opt("valueLengthSwa"),
            SharedKvLayers = Opt("sharedKvLayers"),
            FeedForwardLength = ffn,
            ExpertFeedForwardLength = Opt("expertFeedForwardLength"),
            ExpertSharedCount = Opt("expertSharedCount"),
            NextnPredictLayers = Opt("nextnPredictLayers"),
            RopeDimensionCount = Opt("ropeDimensionCount"),
            SlidingWindow = Opt("slidingWindow"),
            SlidingWindowLayers = swaLayers,
            FullAttentionInterval = Opt("fullAttentionInterval"),
            ExpertCount = Opt("expertCount"),
            ExpertUsedCount = Opt("expertUsedCount"),
            SsmConvKernel = Opt("ssmConvKernel"),
            SsmInnerSize = Opt("ssmInnerSize"),
            SsmStateSize = Opt("ssmStateSize"),
            SsmTimeStepRank = Opt("ssmTimeStepRank"),
            SsmGroupCount = Opt("ssmGroupCount"),
            KvLoraRank = Opt("kvLoraRank"),
            QLoraRank = Opt("qLoraRank"),
            KeyLengthMla = Opt("keyLengthMla"),
            ValueLengthMla = Opt("valueLengthMla"),
            Tensors = tensors ?? new TensorBytes { TokenEmbedding = 0, Output = 0, Other = 0, AttentionPerLayer = [], DenseFfnPerLayer = [], ExpertsPerLayer = [], OtherPerLayer = [] },
        };
        return bag.Items.Count > before ? null : facts;
    }

    /// <summary>Writes the facts as YAML lines indented by <paramref name="indent"/> spaces (the <c>facts:</c> key itself not included).</summary>
    public static void Write(StringBuilder text, ModelFacts facts, int indent)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(facts);
        var pad = new string(' ', indent);
        void Line(string key, string? value)
        {
            if (value is not null) text.Append(pad).Append(key).Append(": ").Append(value).Append('\n');
        }
        Line("architecture", Quote(facts.Architecture));
        Line("blockCount", Num(facts.BlockCount));
        Line("trainedContext", Num(facts.TrainedContext));
        Line("embeddingLength", Num(facts.EmbeddingLength));
        Line("vocabSize", Num(facts.VocabSize));
        Line("headCount", Layers(facts.HeadCount.Select(v => (long)v).ToList()));
        Line("kvHeadCount", Layers(facts.KvHeadCount.Select(v => (long)v).ToList()));
        Line("keyLength", Num(facts.KeyLength));
        Line("valueLength", Num(facts.ValueLength));
        Line("keyLengthSwa", Num(facts.KeyLengthSwa));
        Line("valueLengthSwa", Num(facts.ValueLengthSwa));
        Line("slidingWindow", Num(facts.SlidingWindow));
        Line("slidingWindowLayers", facts.SlidingWindowLayers is { } swa ? "[" + string.Join(", ", swa.Select(b => b ? "true" : "false")) + "]" : null);
        Line("fullAttentionInterval", Num(facts.FullAttentionInterval));
        Line("expertCount", Num(facts.ExpertCount));
        Line("expertUsedCount", Num(facts.ExpertUsedCount));
        Line("ssmConvKernel", Num(facts.SsmConvKernel));
        Line("ssmInnerSize", Num(facts.SsmInnerSize));
        Line("ssmStateSize", Num(facts.SsmStateSize));
        Line("ssmTimeStepRank", Num(facts.SsmTimeStepRank));
        Line("ssmGroupCount", Num(facts.SsmGroupCount));
        Line("sharedKvLayers", Num(facts.SharedKvLayers));
        Line("feedForwardLength", facts.FeedForwardLength is { } ffn ? Layers(ffn.Select(v => (long)v).ToList()) : null);
        Line("expertFeedForwardLength", Num(facts.ExpertFeedForwardLength));
        Line("expertSharedCount", Num(facts.ExpertSharedCount));
        Line("nextnPredictLayers", Num(facts.NextnPredictLayers));
        Line("ropeDimensionCount", Num(facts.RopeDimensionCount));
        Line("kvLoraRank", Num(facts.KvLoraRank));
        Line("qLoraRank", Num(facts.QLoraRank));
        Line("keyLengthMla", Num(facts.KeyLengthMla));
        Line("valueLengthMla", Num(facts.ValueLengthMla));
        text.Append(pad).Append("tensors:\n");
        pad += "  ";
        var t = facts.Tensors;
        Line("tokenEmbedding", Num(t.TokenEmbedding));
        Line("output", Num(t.Output));
        if (t.OutputTiedToEmbedding) Line("outputTiedToEmbedding", "true");
        Line("other", Num(t.Other));
        if (t.NextN != 0) Line("nextN", Num(t.NextN));
        Line("attentionPerLayer", Layers(t.AttentionPerLayer));
        Line("denseFfnPerLayer", Layers(t.DenseFfnPerLayer));
        Line("expertsPerLayer", Layers(t.ExpertsPerLayer));
        Line("otherPerLayer", Layers(t.OtherPerLayer));
    }

    private static string? Num(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    /// <summary>One number when every layer agrees, else a flow list.</summary>
    private static string Layers(IReadOnlyList<long> values) =>
        values.Count > 0 && values.All(v => v == values[0]) ? Num(values[0])!
            : "[" + string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]";

    internal static string Quote(string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':') && !char.IsAsciiDigit(text[0])
            && text is not ("true" or "false" or "null" or "yes" or "no" or "on" or "off" or "y" or "n" or "~")
            ? text
            : "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static int? Required(YamlMappingNode map, string key, string path, ModelLockFile.Bag bag)
    {
        var value = ModelLockFile.OptionalCount(map, key, path, bag, positive: false);
        if (value is null && (ModelLockFile.Child(map, key) is null || ModelLockFile.IsEmpty(ModelLockFile.Child(map, key)!)))
        {
            bag.Add(ModelLockFile.Child(map, key) ?? map, $"{path}.{key}", "is missing", "run llmctl lock on the GGUF file to record it");
        }
        return value;
    }

    private static long? Bytes(YamlMappingNode map, string key, string path, ModelLockFile.Bag bag, bool required)
    {
        var node = ModelLockFile.Child(map, key);
        if (node is null || ModelLockFile.IsEmpty(node))
        {
            if (required) bag.Add(node ?? map, $"{path}.{key}", "is missing", "run llmctl lock on the GGUF file to record it");
            return null;
        }
        if (long.TryParse(ModelLockFile.Scalar(node), NumberStyles.None, CultureInfo.InvariantCulture, out var v)) return v;
        bag.Add(node, $"{path}.{key}", $"'{ModelLockFile.Scalar(node)}' is not a byte count");
        return null;
    }

    private static bool? Bool(YamlMappingNode map, string key, string path, ModelLockFile.Bag bag)
    {
        var node = ModelLockFile.Child(map, key);
        if (node is null || ModelLockFile.IsEmpty(node)) return null;
        switch (ModelLockFile.Scalar(node))
        {
            case "true": return true;
            case "false": return false;
            default:
                bag.Add(node, $"{path}.{key}", $"'{ModelLockFile.Scalar(node)}' is not true or false");
                return null;
        }
    }

    private static IReadOnlyList<T>? Layers<T>(YamlMappingNode map, string key, string path, int n, ModelLockFile.Bag bag, bool required, Func<string?, T?> parse, string what)
        where T : struct
    {
        var node = ModelLockFile.Child(map, key);
        if (node is null || ModelLockFile.IsEmpty(node))
        {
            if (required) bag.Add(node ?? map, $"{path}.{key}", "is missing", $"write {what} per layer, or one for every layer");
            return null;
        }
        if (node is YamlScalarNode scalar)
        {
            if (parse(scalar.Value) is { } one) return Enumerable.Repeat(one, n).ToArray();
            bag.Add(node, $"{path}.{key}", $"'{scalar.Value}' is not {what}");
            return null;
        }
        if (node is not YamlSequenceNode list)
        {
            bag.Add(node, $"{path}.{key}", $"expected {what} or a list of them, one per layer");
            return null;
        }
        if (list.Children.Count != n)
        {
            bag.Add(node, $"{path}.{key}", $"has {list.Children.Count} entries, but blockCount is {n}", "write one entry per layer");
            return null;
        }
        var items = new T[n];
        for (var i = 0; i < n; i++)
        {
            if (parse(ModelLockFile.Scalar(list.Children[i])) is { } v) items[i] = v;
            else
            {
                bag.Add(list.Children[i], $"{path}.{key}[{i}]", $"'{ModelLockFile.Scalar(list.Children[i])}' is not {what}");
                return null;
            }
        }
        return items;
    }

    private static IReadOnlyList<int>? IntLayers(YamlMappingNode map, string key, string path, int n, ModelLockFile.Bag bag, bool required) =>
        Layers<int>(map, key, path, n, bag, required,
            s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null, "a whole number");

    private static IReadOnlyList<long>? LongLayers(YamlMappingNode map, string key, string path, int n, ModelLockFile.Bag bag) =>
        Layers<long>(map, key, path, n, bag, required: true,
            s => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null, "a byte count");

    private static IReadOnlyList<bool>? BoolLayers(YamlMappingNode map, string key, string path, int n, ModelLockFile.Bag bag) =>
        Layers<bool>(map, key, path, n, bag, required: false,
            s => s switch { "true" => true, "false" => false, _ => null }, "true or false");
}
