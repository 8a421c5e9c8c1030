using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Llmctl.Fit.Gguf;

namespace Llmctl.Fit.Lock;

/// <summary>The files of one model: one GGUF, or every shard of a split model in order.</summary>
public sealed record ModelFileSet(IReadOnlyList<string> Paths)
{
    public string First => Paths[0];
}

/// <summary>Finding model files on disk, hashing them, and naming their download URLs for <c>llmctl lock</c>.</summary>
public static partial class ModelFiles
{
    /// <summary>
    /// Groups files and folders (every <c>*.gguf</c> directly inside) into models: a file that is not a shard is a model
    /// of its own; the shards <c>&lt;base&gt;-0000i-of-0000n.gguf</c> of one base are one model and must all be there.
    /// Throws <see cref="FileNotFoundException"/> / <see cref="ArgumentException"/> with a readable message otherwise.
    /// </summary>
    public static IReadOnlyList<ModelFileSet> Group(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var found = Directory.EnumerateFiles(path, "*", SearchOption.TopDirectoryOnly)
                    .Where(f => f.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToList();
                if (found.Count == 0) throw new FileNotFoundException($"{path} holds no .gguf files");
                files.AddRange(found);
            }
            else if (File.Exists(path)) files.Add(path);
            else throw new FileNotFoundException($"{path} does not exist");
        }
        var models = new List<ModelFileSet>();
        var shards = new Dictionary<(string Dir, string Base, int Count), SortedDictionary<int, string>>();
        foreach (var file in files.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal))
        {
            if (GgufModelFacts.ShardOf(file) is { } shard)
            {
                var key = (Path.GetDirectoryName(file) ?? "", shard.Base, shard.Count);
                if (!shards.TryGetValue(key, out var set)) shards[key] = set = [];
                set[shard.Number] = file;
            }
            else models.Add(new ModelFileSet([file]));
        }
        foreach (var ((dir, name, count), set) in shards)
        {
            var missing = Enumerable.Range(1, count).Where(i => !set.ContainsKey(i)).ToList();
            if (missing.Count > 0)
            {
                throw new ArgumentException($"{Path.Combine(dir, name)} is split into {count} shards, but shard(s) "
                    + $"{string.Join(", ", missing.Take(5).Select(i => $"{i:D5}"))} are not among the files given; give the folder or every shard");
            }
            models.Add(new ModelFileSet([.. set.Values]));
        }
        return [.. models.OrderBy(m => m.First, StringComparer.Ordinal)];
    }

    /// <summary>The file's sha256 (lowercase hex), read once in 1 MiB blocks; <paramref name="progress"/> gets the bytes read so far.</summary>
    public static async Task<string> Sha256Async(string path, IProgress<long>? progress, CancellationToken cancellationToken = default)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1024 * 1024];
        long done = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            done += read;
            progress?.Report(done);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// <c>org/repo@revision</c> → the Hugging Face download URL of <paramref name="fileName"/>
    /// (<c>https://huggingface.co/org/repo/resolve/revision/file</c>); throws <see cref="ArgumentException"/> on another shape.
    /// </summary>
    public static string HubUrl(string source, string fileName)
    {
        ArgumentNullException.ThrowIfNull(source);
        var m = SourcePattern().Match(source);
        if (!m.Success)
        {
            throw new ArgumentException($"--source '{source}' is not <org>/<repo>@<revision> (e.g. unsloth/Qwen3.6-35B-A3B-GGUF@0a1b2c3d)");
        }
        return $"https://huggingface.co/{m.Groups[1].Value}/resolve/{m.Groups[2].Value}/{Uri.EscapeDataString(fileName)}";
    }

    /// <summary>A shard's URL from the first shard's: the same URL with the shard number replaced.</summary>
    public static Uri ShardUrl(Uri first, int number)
    {
        ArgumentNullException.ThrowIfNull(first);
        var text = first.GetLeftPart(UriPartial.Path);
        var replaced = UrlShard().Replace(text, $"-{number:D5}-of-$2.gguf", 1);
        return new Uri(replaced + first.Query);
    }

    [GeneratedRegex(@"^([A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*)@([A-Za-z0-9][A-Za-z0-9._/-]*)$")]
    private static partial Regex SourcePattern();

    [GeneratedRegex(@"-(\d{5})-of-(\d{5})\.gguf$")]
    private static partial Regex UrlShard();
}
