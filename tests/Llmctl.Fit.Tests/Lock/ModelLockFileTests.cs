using Llmctl.Fit.Lock;
using Llmctl.Testing;

namespace Llmctl.Fit.Tests.Lock;

public sealed class ModelLockFileTests
{
    private const string Sha = "3f1c9e5a0b6d2c4e8f7a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e";

    private static ModelLockException Fails(string text) =>
        Assert.Throws<ModelLockException>(() => ModelLockFile.Parse(text, "models.lock.yaml"));

    [Fact]
    public void The_sample_lock_at_the_repo_root_loads_and_reports_its_honestly_empty_checksums_as_unlocked()
    {
        var lockFile = ModelLockFile.Load(RepoFiles.Path("models.lock.yaml"));

        var fast = lockFile.Find("qwen36-35b-a3b-ud-q4-k-m");
        Assert.Equal("Qwen3.6-35B-A3B-UD-Q4_K_M.gguf", fast.File);
        Assert.Equal(new GgufFacts { Architecture = "qwen35moe", Quantization = "Q4_K_M", LayerCount = 40, KvHeads = 2, HeadDim = 256 }, fast.Gguf);
        Assert.False(fast.IsLocked);
        Assert.Equal(["qwen36-35b-a3b-ud-q4-k-m", "qwen36-27b-q4-k-m"], lockFile.Unlocked.Select(m => m.Ref));
        // It says plainly that it is a sample, and every entry carries that.
        Assert.Contains("nobody has downloaded these files to hash them", lockFile.Sample);
        Assert.All(lockFile.Models, m => Assert.Equal(lockFile.Sample, m.Sample));
    }

    [Fact]
    public void The_sample_marker_is_a_reason_or_true_false_and_no_marker_is_a_real_lock()
    {
        const string Models = "models:\n  - ref: tiny\n    file: tiny.gguf\n    source: https://example.com/tiny.gguf\n    sha256: \"\"\n    sizeBytes:\n";

        Assert.Equal("not hashed yet", ModelLockFile.Parse("version: 1\nsample: not hashed yet\n" + Models, "x").Find("tiny").Sample);
        Assert.Equal("the file is marked as a sample", ModelLockFile.Parse("version: 1\nsample: true\n" + Models, "x").Sample);
        Assert.Null(ModelLockFile.Parse("version: 1\nsample: false\n" + Models, "x").Find("tiny").Sample);
        Assert.Null(ModelLockFile.Parse("version: 1\n" + Models, "x").Sample);
        var bad = Fails("version: 1\nsample: [a]\n" + Models);
        Assert.Contains(bad.Diagnostics, d => d.KeyPath == "sample" && d.Line == 2 && d.Message.Contains("the reason this lock is a sample", StringComparison.Ordinal));
    }

    [Fact]
    public void A_complete_entry_is_locked()
    {
        var lockFile = ModelLockFile.Parse($"""
            version: 1
            models:
              - ref: tiny
                file: tiny.gguf
                source: https://huggingface.co/org/tiny/resolve/0123abc/tiny.gguf
                sha256: {Sha}
                sizeBytes: 1750560
            """, "models.lock.yaml");

        var entry = lockFile.Find("tiny");
        Assert.True(entry.IsLocked);
        Assert.Equal((Sha, 1750560L), (entry.Sha256, entry.SizeBytes));
        Assert.Null(entry.UnlockedReason);
    }

    [Fact]
    public void Finding_an_unknown_ref_names_the_refs_the_lock_has()
    {
        var lockFile = ModelLockFile.Load(RepoFiles.Path("models.lock.yaml"));

        var ex = Assert.Throws<KeyNotFoundException>(() => lockFile.Find("llama"));
        Assert.Contains("has no model 'llama'; it has 'qwen36-35b-a3b-ud-q4-k-m', 'qwen36-27b-q4-k-m'", ex.Message);
    }

    [Fact]
    public void Bad_values_are_reported_with_their_file_line_and_column()
    {
        var ex = Fails("""
            version: 1
            models:
              - ref: tiny
                file: models/tiny.gguf
                source: http://example.com/tiny.gguf
                sha256: ABC
                sizeBytes: -5
            """);

        Assert.Equal(
            [
                "models.lock.yaml:4:11: models[0].file: 'models/tiny.gguf' must be a plain file name — write the file name without directories",
                "models.lock.yaml:5:13: models[0].source: 'http://example.com/tiny.gguf' is not an https URL — write the download URL, e.g. https://huggingface.co/<org>/<repo>/resolve/<revision>/<file>",
            ],
            ex.Diagnostics.Take(2).Select(d => d.ToString()));
        Assert.Contains(ex.Diagnostics, d => d is { Line: 6, KeyPath: "models[0].sha256" } && d.Message.Contains("is not a sha256"));
        Assert.Contains(ex.Diagnostics, d => d is { Line: 7, KeyPath: "models[0].sizeBytes" });
    }

    [Fact]
    public void Missing_fields_unknown_keys_and_duplicate_refs_are_all_reported()
    {
        var ex = Fails("""
            version: 1
            models:
              - ref: tiny
                file: tiny.gguf
                source: https://example.com/tiny.gguf
                sha: nope
              - ref: tiny
                file: other.gguf
            """);

        Assert.Equal(
            [(6, "models[0].sha", "unknown key"), (7, "models[1].source", "is missing")],
            ex.Diagnostics.Select(d => (d.Line, d.KeyPath, d.Message)));
    }

    [Fact]
    public void Duplicate_refs_point_at_the_second_one()
    {
        var ex = Fails("""
            version: 1
            models:
              - {ref: tiny, file: a.gguf, source: "https://example.com/a.gguf"}
              - {ref: tiny, file: b.gguf, source: "https://example.com/b.gguf"}
            """);

        var diagnostic = Assert.Single(ex.Diagnostics);
        Assert.Equal((4, "duplicate model ref 'tiny'"), (diagnostic.Line, diagnostic.Message));
    }

    [Fact]
    public void A_YAML_syntax_error_and_a_wrong_version_are_located()
    {
        Assert.Equal(1, Assert.Single(Fails("version: 2\nmodels: []\n").Diagnostics).Line);
        Assert.Contains("YAML syntax error", Assert.Single(Fails("version: 1\nmodels: [\n").Diagnostics).Message);
    }

    [Fact]
    public void A_missing_file_says_so_with_its_path()
    {
        var ex = Assert.Throws<ModelLockException>(() => ModelLockFile.Load("/nonexistent/models.lock.yaml"));

        Assert.StartsWith("/nonexistent/models.lock.yaml: the model lock file does not exist", ex.Message);
    }
}
