using Llmctl.Fit.Facts;
using Llmctl.Fit.Gguf;
using Llmctl.Fit.Lock;
using Llmctl.Testing;

namespace Llmctl.Fit.Tests.Lock;

public sealed class LockWriterTests
{
    private const string Sha = "81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb";

    private static ModelFacts SampleFacts() => new()
    {
        Architecture = "qwen35moe", BlockCount = 4, TrainedContext = 262144, EmbeddingLength = 2048, VocabSize = 248320,
        HeadCount = [16, 16, 16, 16], KvHeadCount = [0, 0, 0, 2], KeyLength = 256, ValueLength = 256,
        SlidingWindow = 1024, SlidingWindowLayers = [true, true, true, false], FullAttentionInterval = 4,
        ExpertCount = 256, ExpertUsedCount = 8, SsmConvKernel = 4, SsmInnerSize = 4096, SsmStateSize = 128, SsmTimeStepRank = 32, SsmGroupCount = 16,
        KvLoraRank = 512, QLoraRank = 1536, KeyLengthMla = 192, ValueLengthMla = 128,
        KeyLengthSwa = 128, ValueLengthSwa = 64, SharedKvLayers = 1, FeedForwardLength = [0, 0, 512, 512],
        ExpertFeedForwardLength = 512, ExpertSharedCount = 1, NextnPredictLayers = 1, RopeDimensionCount = 64,
        Tensors = new TensorBytes
        {
            TokenEmbedding = 294_912_000, Output = 417_792_000, Other = 512, NextN = 77, OutputTiedToEmbedding = true,
            AttentionPerLayer = [10, 10, 10, 20], DenseFfnPerLayer = [5, 5, 5, 5], ExpertsPerLayer = [300, 300, 300, 300], OtherPerLayer = [1, 2, 3, 4],
        },
    };

    private static ModelLock Entry(string file = "tiny.gguf", string? sha = Sha, ModelFacts? facts = null) => new()
    {
        Ref = ModelLock.RefFor(file), File = file, Source = $"https://huggingface.co/org/repo/resolve/abc123/{file}",
        Sha256 = sha, SizeBytes = 1_750_560, Facts = facts ?? SampleFacts(),
    };

    private static void FactsEqual(ModelFacts expected, ModelFacts actual)
    {
        Assert.Equal(expected with { HeadCount = [], KvHeadCount = [], SlidingWindowLayers = null, FeedForwardLength = null, Tensors = null! },
            actual with { HeadCount = [], KvHeadCount = [], SlidingWindowLayers = null, FeedForwardLength = null, Tensors = null! });
        Assert.Equal(expected.FeedForwardLength ?? [], actual.FeedForwardLength ?? []);
        Assert.Equal(expected.FeedForwardLength is null, actual.FeedForwardLength is null);
        Assert.Equal(expected.HeadCount, actual.HeadCount);
        Assert.Equal(expected.KvHeadCount, actual.KvHeadCount);
        Assert.Equal(expected.SlidingWindowLayers ?? [], actual.SlidingWindowLayers ?? []);
        var (e, a) = (expected.Tensors, actual.Tensors);
        Assert.Equal((e.TokenEmbedding, e.Output, e.Other, e.NextN, e.OutputTiedToEmbedding), (a.TokenEmbedding, a.Output, a.Other, a.NextN, a.OutputTiedToEmbedding));
        Assert.Equal(e.AttentionPerLayer, a.AttentionPerLayer);
        Assert.Equal(e.DenseFfnPerLayer, a.DenseFfnPerLayer);
        Assert.Equal(e.ExpertsPerLayer, a.ExpertsPerLayer);
        Assert.Equal(e.OtherPerLayer, a.OtherPerLayer);
    }

    [Fact]
    public void Every_fact_written_reads_back_the_same()
    {
        var text = ModelLockWriter.Upsert(null, "models.lock.yaml", [Entry()]);

        var entry = ModelLockFile.Parse(text, "models.lock.yaml").Find("tiny");

        FactsEqual(SampleFacts(), entry.Facts!);
        Assert.True(entry.IsLocked);
        Assert.Contains("    facts:\n      architecture: qwen35moe\n      blockCount: 4\n", text);
        Assert.Contains("      headCount: 16\n      kvHeadCount: [0, 0, 0, 2]\n", text); // one number when every layer agrees
        Assert.Contains("      tensors:\n        tokenEmbedding: 294912000\n", text);
        Assert.Contains("      keyLengthSwa: 128\n      valueLengthSwa: 64\n", text);
        Assert.Contains("      feedForwardLength: [0, 0, 512, 512]\n", text);
        Assert.Contains("        outputTiedToEmbedding: true\n", text);
    }

    [Fact]
    public void Facts_of_the_real_tiny_llama_round_trip_through_the_lock()
    {
        var facts = GgufModelFacts.Read([SharedFiles.RequirePath("upstream", "gguf", "llama-2-tiny-random.gguf")]);

        var text = ModelLockWriter.Upsert(null, "models.lock.yaml", [Entry("llama-2-tiny-random.gguf", facts: facts)]);

        FactsEqual(facts, ModelLockFile.Parse(text, "x").Find("llama-2-tiny-random").Facts!);
    }

    [Fact]
    public void An_unknown_sha256_is_written_as_unknown_and_the_entry_reads_as_unlocked()
    {
        var text = ModelLockWriter.Upsert(null, "models.lock.yaml", [Entry(sha: null)]);

        Assert.Contains("sha256: \"\"  # not known: run llmctl lock on the downloaded file to record it", text);
        var entry = ModelLockFile.Parse(text, "x").Find("tiny");
        Assert.False(entry.IsLocked);
        Assert.Contains("has no sha256 in the lock: the sha256 is not known yet", entry.UnlockedReason);
    }

    [Fact]
    public void Updating_one_entry_keeps_every_other_entry_and_the_comments_byte_for_byte()
    {
        var existing = """
            # My models. Keep this comment.
            version: 1
            models:
              # the big one, cited from its model card
              - ref: big
                file: big.gguf
                source: https://huggingface.co/org/big/resolve/main/big.gguf   # moving revision, on purpose
                sha256: ""
                sizeBytes:
                gguf:
                  architecture: llama
              - ref: tiny-old-name
                file: tiny.gguf
                source: https://huggingface.co/org/repo/resolve/old/tiny.gguf
                sha256: ""
                sizeBytes:
                gguf: {architecture: llama, layerCount: 1}
              - ref: last
                file: last.gguf
                source: https://example.com/last.gguf
            """ + "\n";

        var text = ModelLockWriter.Upsert(existing, "models.lock.yaml", [Entry(), Entry("new.gguf")]);

        var before = existing.IndexOf("  - ref: tiny-old-name", StringComparison.Ordinal);
        Assert.StartsWith(existing[..before], text); // header, comments and the first entry untouched
        Assert.EndsWith("""
              - ref: last
                file: last.gguf
                source: https://example.com/last.gguf
              - ref: new
            """.Replace("\r", "", StringComparison.Ordinal) + "\n" + text[(text.LastIndexOf("    file: new.gguf", StringComparison.Ordinal))..], text);
        var lockFile = ModelLockFile.Parse(text, "x");
        Assert.Equal(["big", "tiny-old-name", "last", "new"], lockFile.Models.Select(m => m.Ref));
        var updated = lockFile.Find("tiny-old-name"); // the ref stacks use is kept
        Assert.Equal((Sha, 1_750_560L, "https://huggingface.co/org/repo/resolve/abc123/tiny.gguf"), (updated.Sha256, updated.SizeBytes, updated.Source));
        Assert.Equal(new GgufFacts { Architecture = "llama", LayerCount = 1 }, updated.Gguf);
        Assert.NotNull(updated.Facts);
    }

    [Fact]
    public void A_new_model_whose_ref_is_taken_gets_a_suffix_and_never_replaces_another_model()
    {
        var existing = ModelLockWriter.Upsert(null, "x", [Entry("tiny.gguf")]);

        var text = ModelLockWriter.Upsert(existing, "x", [Entry("Tiny.gguf"), Entry("TINY.gguf")]);

        var models = ModelLockFile.Parse(text, "x").Models;
        Assert.Equal([("tiny", "tiny.gguf"), ("tiny-2", "Tiny.gguf"), ("tiny-3", "TINY.gguf")], models.Select(m => (m.Ref, m.File)));
    }

    [Fact]
    public void A_split_model_lists_its_other_shards_as_parts_and_is_locked_only_when_all_are()
    {
        var entry = Entry("m-00001-of-00002.gguf") with
        {
            Parts = [new ModelLockShard("m-00002-of-00002.gguf", "https://huggingface.co/org/repo/resolve/abc123/m-00002-of-00002.gguf", null, 10)],
        };

        var text = ModelLockWriter.Upsert("version: 1\nmodels: []\n", "models.lock.yaml", [entry]);
        var read = ModelLockFile.Parse(text, "x").Find("m");

        Assert.Equal(["m-00001-of-00002.gguf", "m-00002-of-00002.gguf"], read.Shards.Select(s => s.File));
        Assert.False(read.IsLocked);
        Assert.Contains("(m-00002-of-00002.gguf) has no sha256", read.UnlockedReason);
        Assert.Equal(1_750_570L, read.TotalSizeBytes);
    }

    [Fact]
    public void Bad_facts_are_located()
    {
        var ex = Assert.Throws<ModelLockException>(() => ModelLockFile.Parse("""
            version: 1
            models:
              - ref: tiny
                file: tiny.gguf
                source: https://example.com/tiny.gguf
                facts:
                  architecture: llama
                  blockCount: 2
                  embeddingLength: 8
                  headCount: [2, 2, 2]
                  kvHeadCount: 2
                  keyLength: 4
                  valueLength: four
                  color: red
            """, "models.lock.yaml"));

        Assert.Equal(
            [
                "models.lock.yaml:14:7: models[0].facts.color: unknown key — use one of architecture, blockCount, trainedContext, embeddingLength, vocabSize, headCount, kvHeadCount, keyLength, valueLength, keyLengthSwa, valueLengthSwa, slidingWindow, slidingWindowLayers, fullAttentionInterval, expertCount, expertUsedCount, ssmConvKernel, ssmInnerSize, ssmStateSize, ssmTimeStepRank, ssmGroupCount, sharedKvLayers, feedForwardLength, expertFeedForwardLength, expertSharedCount, nextnPredictLayers, ropeDimensionCount, kvLoraRank, qLoraRank, keyLengthMla, valueLengthMla, tensors",
                "models.lock.yaml:13:20: models[0].facts.valueLength: 'four' is not a whole number",
                "models.lock.yaml:10:18: models[0].facts.headCount: has 3 entries, but blockCount is 2 — write one entry per layer",
                "models.lock.yaml:7:7: models[0].facts.tensors: is missing — run llmctl lock on the GGUF file to record them",
            ],
            ex.Diagnostics.Select(d => d.ToString()));
    }

    [Theory]
    [InlineData("Qwen3.6-35B-A3B-UD-Q4_K_M.gguf", "qwen36-35b-a3b-ud-q4-k-m")]
    [InlineData("Qwen3-235B-A22B-Q4_K_M-00001-of-00003.gguf", "qwen3-235b-a22b-q4-k-m")]
    [InlineData("llama-2-tiny-random.gguf", "llama-2-tiny-random")]
    [InlineData("__.gguf", "model")]
    public void Refs_are_made_from_file_names(string file, string expected) => Assert.Equal(expected, ModelLock.RefFor(file));
}
