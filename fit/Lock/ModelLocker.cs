using Llmctl.Fit.Gguf;

namespace Llmctl.Fit.Lock;

/// <summary>A model that <c>llmctl lock</c> leaves out, and why (a projector, a vocabulary-only file).</summary>
public sealed class NotAModelException : Exception
{
    public NotAModelException() : base("not a model") { }

    public NotAModelException(string message) : base(message) { }

    public NotAModelException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// Builds lock entries: from files on disk (size, streamed sha256, facts from the GGUF), or from a URL by reading only
/// the header and tensor infos through range requests (sha256 and size from the hub's LFS metadata when it gives them).
/// </summary>
public static class ModelLocker
{
    /// <summary>The entry of one model on disk. <paramref name="progress"/> makes a progress sink per file (path, size).</summary>
    public static async Task<ModelLock> LockFilesAsync(ModelFileSet model, string? hubSource, ModelLockFile? existing,
        Func<string, long, IProgress<long>?>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var files = model.Paths.Select(p => GgufFile.Read(p)).ToList();
        CheckIsModel(files[0]);
        var facts = GgufModelFacts.Read(files);
        var names = model.Paths.Select(Path.GetFileName).Select(n => n!).ToList();
        var old = existing?.Models.FirstOrDefault(m => m.File == names[0]);
        var shards = new List<ModelLockShard>();
        for (var i = 0; i < model.Paths.Count; i++)
        {
            var path = model.Paths[i];
            var size = new FileInfo(path).Length;
            var sha = await ModelFiles.Sha256Async(path, progress?.Invoke(path, size), cancellationToken).ConfigureAwait(false);
            var source = hubSource is not null ? ModelFiles.HubUrl(hubSource, names[i])
                : old?.Shards.FirstOrDefault(s => s.File == names[i])?.Source
                ?? throw new ArgumentException($"no download URL is known for {names[i]}: pass --source <org>/<repo>@<revision> (the Hugging Face repository and commit it came from)");
            shards.Add(new ModelLockShard(names[i], source, sha, size));
        }
        return Entry(old?.Ref ?? ModelLock.RefFor(names[0]), shards, facts);
    }

    /// <summary>
    /// The entry of the model at <paramref name="url"/> (a <c>.gguf</c>, or the first shard of a split model, whose other
    /// shards are found by their numbers). <paramref name="http"/> follows redirects; <paramref name="noRedirects"/> does
    /// not (for the hub's metadata on the redirect). Returns the entry, the bytes downloaded and the notes (unknown sha256).
    /// </summary>
    public static async Task<(ModelLock Entry, long BytesReceived, IReadOnlyList<string> Notes)> LockUrlAsync(HttpClient http, HttpClient noRedirects,
        Uri url, string? hubSource, ModelLockFile? existing, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        var name = Uri.UnescapeDataString(url.Segments[^1]);
        var urls = new List<Uri> { url };
        if (GgufModelFacts.ShardOf(name) is { } shard)
        {
            if (shard.Number != 1) throw new ArgumentException($"{url} is shard {shard.Number} of {shard.Count}; give the URL of the first shard (-00001-of-{shard.Count:D5})");
            for (var i = 2; i <= shard.Count; i++) urls.Add(ModelFiles.ShardUrl(url, i));
        }
        var files = new List<GgufFile>();
        var shards = new List<ModelLockShard>();
        var notes = new List<string>();
        long received = 0;
        var old = existing?.Models.FirstOrDefault(m => m.File == name);
        foreach (var u in urls)
        {
            var fileName = Uri.UnescapeDataString(u.Segments[^1]);
            var meta = await HubFileMetadata.HeadAsync(noRedirects, u, cancellationToken).ConfigureAwait(false);
            using var stream = await HttpRangeStream.OpenAsync(http, u, cancellationToken).ConfigureAwait(false);
            try
            {
                files.Add(GgufFile.Read(stream, u.ToString(), stream.Length));
            }
            finally
            {
                received += stream.BytesReceived;
            }
            if (meta.SizeBytes is { } linked && linked != stream.Length)
            {
                throw new IOException($"{u}: the hub says {linked} bytes ({HubFileMetadata.LinkedSizeHeader}) but serves {stream.Length}");
            }
            if (meta.Note is not null) notes.Add($"{fileName}: {meta.Note}");
            var source = hubSource is not null ? ModelFiles.HubUrl(hubSource, fileName)
                : u.Scheme == Uri.UriSchemeHttps ? u.ToString()
                : old?.Shards.FirstOrDefault(s => s.File == fileName)?.Source
                ?? throw new ArgumentException($"{u} is not an https URL, so it cannot be the entry's source: pass --source <org>/<repo>@<revision>");
            shards.Add(new ModelLockShard(fileName, source, meta.Sha256, stream.Length));
        }
        CheckIsModel(files[0]);
        var facts = GgufModelFacts.Read(files);
        return (Entry(old?.Ref ?? ModelLock.RefFor(name), shards, facts), received, notes);
    }

    private static ModelLock Entry(string modelRef, List<ModelLockShard> shards, Facts.ModelFacts facts) => new()
    {
        Ref = modelRef,
        File = shards[0].File,
        Source = shards[0].Source,
        Sha256 = shards[0].Sha256,
        SizeBytes = shards[0].SizeBytes,
        Parts = shards.Skip(1).ToList(),
        Facts = facts,
    };

    private static void CheckIsModel(GgufFile file)
    {
        if (file["general.type"]?.AsString() is { } type && type != "model")
        {
            throw new NotAModelException($"{file.Name} is a GGUF of general.type '{type}', not a model");
        }
        if (file.Architecture == "clip") throw new NotAModelException($"{file.Name} is a multimodal projector (clip), not a model");
        if (file.Tensors.Count == 0 && file["split.count"]?.AsInteger() is null or 1)
        {
            throw new NotAModelException($"{file.Name} has no tensors (a vocabulary-only file), so there is no model to lock");
        }
    }
}
