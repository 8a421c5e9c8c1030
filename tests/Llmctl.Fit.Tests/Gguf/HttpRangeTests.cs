using Llmctl.Fit.Gguf;
using Llmctl.Fit.Lock;
using Llmctl.Testing;

namespace Llmctl.Fit.Tests.Gguf;

public sealed class HttpRangeTests
{
    private const string TinySha = "81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb"; // SOURCES.md

    [Fact]
    public async Task A_url_is_locked_from_its_header_alone_with_the_sha256_from_the_hub_headers()
    {
        var path = SharedFiles.RequirePath("upstream", "gguf", "llama-2-tiny-random.gguf");
        using var server = new RangeFileServer(new Dictionary<string, string> { ["tiny.gguf"] = path });
        server.LinkedSha256["tiny.gguf"] = TinySha;
        using var http = new HttpClient();
        using var noRedirects = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });

        var (entry, received, notes) = await ModelLocker.LockUrlAsync(http, noRedirects, server.ResolveUrl("tiny.gguf"), "org/repo@abc123", null, TestContext.Current.CancellationToken);

        Assert.Equal((TinySha, 1_750_560L, "tiny"), (entry.Sha256, entry.SizeBytes, entry.Ref));
        Assert.Equal("https://huggingface.co/org/repo/resolve/abc123/tiny.gguf", entry.Source);
        Assert.Empty(notes);
        // The same facts as reading the whole file from disk ...
        var local = GgufModelFacts.Read([path]);
        Assert.Equal((local.Architecture, local.BlockCount, local.Tensors.Total), (entry.Facts!.Architecture, entry.Facts.BlockCount, entry.Facts.Tensors.Total));
        // ... from the header: the tensor infos end at byte 724 398 of 1 750 560, and the weights were not downloaded.
        Assert.Equal(server.BytesServed, received);
        Assert.True(received < 1_000_000, $"{received} bytes were downloaded");
        Assert.Equal(0, server.WholeFileResponses);
    }

    [Fact]
    public async Task Without_the_hub_headers_the_sha256_is_not_known_and_says_so()
    {
        var path = SharedFiles.RequirePath("upstream", "gguf", "llama-2-tiny-random.gguf");
        using var server = new RangeFileServer(new Dictionary<string, string> { ["tiny.gguf"] = path });
        using var http = new HttpClient();
        using var noRedirects = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });

        var (entry, _, notes) = await ModelLocker.LockUrlAsync(http, noRedirects, server.ResolveUrl("tiny.gguf"), "org/repo@abc123", null, TestContext.Current.CancellationToken);

        Assert.Null(entry.Sha256);
        Assert.Equal(1_750_560L, entry.SizeBytes);
        Assert.Equal("tiny.gguf: the server sent no X-Linked-Etag header, so the sha256 is not known", Assert.Single(notes));
    }

    [Fact]
    public async Task A_server_without_range_support_is_refused_before_the_file_is_downloaded()
    {
        var path = SharedFiles.RequirePath("upstream", "gguf", "llama-2-tiny-random.gguf");
        using var server = new RangeFileServer(new Dictionary<string, string> { ["tiny.gguf"] = path }) { SupportsRanges = false };
        using var http = new HttpClient();

        var ex = await Assert.ThrowsAsync<IOException>(() => HttpRangeStream.OpenAsync(http, server.ResolveUrl("tiny.gguf"), TestContext.Current.CancellationToken));

        Assert.Contains("does not support range requests", ex.Message);
    }

    [Fact]
    public async Task A_split_model_at_a_url_reads_every_shard()
    {
        var dir = Directory.CreateTempSubdirectory("llmctl-split-").FullName;
        try
        {
            var shards = SplitFiles.Write(dir, "tiny", 2);
            using var server = new RangeFileServer(shards.ToDictionary(p => Path.GetFileName(p), p => p));
            using var http = new HttpClient();
            using var noRedirects = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });

            var (entry, _, notes) = await ModelLocker.LockUrlAsync(http, noRedirects, server.ResolveUrl("tiny-00001-of-00002.gguf"), "org/repo@abc123", null, TestContext.Current.CancellationToken);

            Assert.Equal(["tiny-00001-of-00002.gguf", "tiny-00002-of-00002.gguf"], entry.Shards.Select(s => s.File));
            Assert.Equal(2, notes.Count);
            Assert.Equal(8 * 8192L, entry.Facts!.Tensors.Total);
            Assert.Equal(2, entry.Facts.BlockCount);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
