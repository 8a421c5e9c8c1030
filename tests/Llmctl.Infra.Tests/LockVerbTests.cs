using Llmctl.Fit.Lock;
using Llmctl.Infra.Cli;
using Llmctl.Testing;

namespace Llmctl.Infra.Tests;

public sealed class LockVerbTests
{
    private const string TinySha = "81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb"; // ../shared/upstream/SOURCES.md

    private static string Tiny() => SharedFiles.RequirePath("upstream", "gguf", "llama-2-tiny-random.gguf");

    private static ModelLockFile Lock(CliHarness cli) => ModelLockFile.Load(Path.Combine(cli.Directory, "models.lock.yaml"));

    [Fact]
    public async Task Locking_a_file_records_its_size_sha256_source_and_facts_and_keeps_the_other_entries()
    {
        using var cli = new CliHarness();
        var lockPath = Path.Combine(cli.Directory, "models.lock.yaml");
        var before = File.ReadAllText(lockPath);
        File.Copy(Tiny(), Path.Combine(cli.Directory, "llama-2-tiny-random.gguf"));

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("lock", "llama-2-tiny-random.gguf", "--source", "aladar/llama-2-tiny-random-GGUF@8f4e2c1"));

        Assert.Contains("locked llama-2-tiny-random: llama-2-tiny-random.gguf (1.7 MiB, sha256 81f226c62d28…) — llama, 1 blocks", cli.Out);
        Assert.Contains("Wrote models.lock.yaml: 1 added, 0 updated", cli.Out);
        var text = File.ReadAllText(lockPath);
        Assert.StartsWith(before, text); // the sample entries and their comments are untouched
        var entry = Lock(cli).Find("llama-2-tiny-random");
        Assert.Equal((TinySha, 1_750_560L), (entry.Sha256, entry.SizeBytes));
        Assert.Equal("https://huggingface.co/aladar/llama-2-tiny-random-GGUF/resolve/8f4e2c1/llama-2-tiny-random.gguf", entry.Source);
        Assert.Equal(("llama", 1, 8, 4096), (entry.Facts!.Architecture, entry.Facts.BlockCount, entry.Facts.EmbeddingLength, entry.Facts.TrainedContext));
        Assert.Equal(1_026_144L, entry.Facts.Tensors.Total);

        // Locking again without --source keeps the recorded source and updates in place.
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("lock", "."));
        Assert.Contains("Wrote models.lock.yaml: 0 added, 1 updated", cli.Out);
        Assert.Equal(text, File.ReadAllText(lockPath));
    }

    [Fact]
    public async Task A_folder_locks_a_split_model_as_one_entry_and_skips_what_is_not_a_model()
    {
        using var cli = new CliHarness();
        var dir = Path.Combine(cli.Directory, "models");
        Directory.CreateDirectory(dir);
        SplitFiles.Write(dir, "Big-Model-Q4_K_M", 3);
        File.Copy(SharedFiles.RequirePath("upstream", "gguf", "ggml-vocab-phi-3.gguf"), Path.Combine(dir, "ggml-vocab-phi-3.gguf"));

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("lock", "models", "--source", "org/big@0123abcd"));

        Assert.Contains("skipped: ", cli.Err);
        Assert.Contains("ggml-vocab-phi-3.gguf has no tensors (a vocabulary-only file), so there is no model to lock", cli.Err);
        var entry = Lock(cli).Find("big-model-q4-k-m");
        Assert.Equal(["Big-Model-Q4_K_M-00001-of-00003.gguf", "Big-Model-Q4_K_M-00002-of-00003.gguf", "Big-Model-Q4_K_M-00003-of-00003.gguf"],
            entry.Shards.Select(s => s.File));
        Assert.True(entry.IsLocked);
        Assert.Equal("https://huggingface.co/org/big/resolve/0123abcd/Big-Model-Q4_K_M-00003-of-00003.gguf", entry.Parts[1].Source);
        Assert.Equal((2, 8 * 8192L), (entry.Facts!.BlockCount, entry.Facts.Tensors.Total));
    }

    [Fact]
    public async Task A_missing_shard_no_source_no_files_and_a_broken_file_are_clear_errors()
    {
        using var cli = new CliHarness();
        var shards = SplitFiles.Write(cli.Directory, "m", 2);
        File.Copy(Tiny(), Path.Combine(cli.Directory, "tiny.gguf"));
        File.WriteAllBytes(Path.Combine(cli.Directory, "broken.gguf"), [.. File.ReadAllBytes(Tiny()).AsSpan(0, 5000)]);
        var lockBefore = File.ReadAllText(Path.Combine(cli.Directory, "models.lock.yaml"));

        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("lock", shards[0], "--source", "org/m@1"));
        Assert.Contains("is split into 2 shards, but shard(s) 00002 are not among the files given", cli.Err);
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("lock", "tiny.gguf"));
        Assert.Contains("no download URL is known for tiny.gguf: pass --source <org>/<repo>@<revision>", cli.Err);
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("lock"));
        Assert.Contains("give GGUF files or folders to lock", cli.Err);
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("lock", "tiny.gguf", "--source", "not a repo"));
        Assert.Equal(ExitCodes.Error, await cli.RunAsync("lock", "broken.gguf", "--source", "org/m@1"));
        Assert.Contains("error: not a readable GGUF file: ", cli.Err);
        Assert.Contains("broken.gguf: byte ", cli.Err);
        Assert.Equal(lockBefore, File.ReadAllText(Path.Combine(cli.Directory, "models.lock.yaml")));
    }

    [Fact]
    public async Task A_url_is_locked_through_range_requests_with_the_hub_sha256_or_says_the_sha256_is_not_known()
    {
        using var cli = new CliHarness();
        using var server = new RangeFileServer(new Dictionary<string, string> { ["llama-2-tiny-random.gguf"] = Tiny(), ["other.gguf"] = Tiny() });
        server.LinkedSha256["llama-2-tiny-random.gguf"] = TinySha;

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("lock", "--url", server.ResolveUrl("llama-2-tiny-random.gguf").ToString(), "--source", "aladar/llama-2-tiny-random-GGUF@8f4e2c1"));
        Assert.Contains("through range requests (header and tensor infos only)", cli.Out);
        Assert.True(server.BytesServed < 1_000_000, $"{server.BytesServed} bytes served for a 1,750,560-byte file");
        var entry = Lock(cli).Find("llama-2-tiny-random");
        Assert.Equal((TinySha, 1_750_560L), (entry.Sha256, entry.SizeBytes));

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("lock", "--url", server.ResolveUrl("other.gguf").ToString(), "--source", "org/other@1"));
        Assert.Contains("warning: other.gguf: the server sent no X-Linked-Etag header, so the sha256 is not known; the entry is written without one (unlocked)", cli.Err);
        var other = Lock(cli).Find("other");
        Assert.Null(other.Sha256);
        Assert.Contains("sha256: \"\"  # not known", File.ReadAllText(Path.Combine(cli.Directory, "models.lock.yaml")));
        Assert.Equal(0, server.WholeFileResponses);
    }
}
