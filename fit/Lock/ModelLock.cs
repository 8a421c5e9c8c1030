using System.Text.RegularExpressions;
using Llmctl.Fit.Facts;

namespace Llmctl.Fit.Lock;

/// <summary>
/// The partial facts of the lock's older <c>gguf:</c> block (<c>general.architecture</c>, the quantization label,
/// <c>{arch}.block_count</c>, <c>{arch}.context_length</c>, <c>{arch}.attention.head_count_kv</c>,
/// <c>{arch}.attention.key_length</c>), still read so hand-written entries keep loading. <c>llmctl lock</c> writes the
/// complete <c>facts:</c> block (<see cref="ModelFacts"/>) instead.
/// </summary>
public sealed record GgufFacts
{
    public string? Architecture { get; init; }
    public string? Quantization { get; init; }
    public int? LayerCount { get; init; }
    public int? ContextLength { get; init; }
    public int? KvHeads { get; init; }
    public int? HeadDim { get; init; }
}

/// <summary>One file of a locked model: a whole model, or one shard of a split model.</summary>
public sealed record ModelLockShard(string File, string Source, string? Sha256, long? SizeBytes)
{
    public bool IsLocked => Sha256 is not null && SizeBytes is not null;
}

/// <summary>
/// One entry of <c>models.lock.yaml</c>: a model file by content. <see cref="Ref"/> is how stacks name it, <see cref="File"/>
/// is its name on the node's model disk, <see cref="Source"/> where it is downloaded from (a Hugging Face
/// <c>resolve/&lt;revision&gt;/&lt;file&gt;</c> URL), and <see cref="Sha256"/> with <see cref="SizeBytes"/> what the bytes
/// must be. A split model (<c>-00001-of-00003</c>) names its first shard here and the others in <see cref="Parts"/>.
/// An entry without a sha256 and size for every file is <em>unlocked</em>: it can be named, but nothing can verify it.
/// </summary>
public sealed partial record ModelLock
{
    public required string Ref { get; init; }
    public required string File { get; init; }
    public required string Source { get; init; }
    /// <summary>64 lowercase hex digits, or null while the file is not locked.</summary>
    public string? Sha256 { get; init; }
    /// <summary>The exact size in bytes, or null while the file is not locked.</summary>
    public long? SizeBytes { get; init; }
    /// <summary>The shards after the first of a split model, in order; empty for a single file.</summary>
    public IReadOnlyList<ModelLockShard> Parts { get; init; } = [];
    /// <summary>The older, partial <c>gguf:</c> block, when the entry has one.</summary>
    public GgufFacts? Gguf { get; init; }
    /// <summary>What the VRAM estimator needs (<c>facts:</c>), read from the GGUF by <c>llmctl lock</c>; null when not recorded.</summary>
    public ModelFacts? Facts { get; init; }
    /// <summary>
    /// The lock file's <c>sample:</c> marker (why it is a sample), copied to each of its entries; null for a real lock.
    /// An unlocked entry of a sample is reported, not blocked: nobody downloaded the file to hash it.
    /// </summary>
    public string? Sample { get; init; }

    /// <summary>Every file of the model, the first shard first.</summary>
    public IReadOnlyList<ModelLockShard> Shards => [new ModelLockShard(File, Source, Sha256, SizeBytes), .. Parts];

    /// <summary>True when every file's sha256 and size are recorded.</summary>
    public bool IsLocked => Sha256 is not null && SizeBytes is not null && Parts.All(p => p.IsLocked);

    /// <summary>The size of all files together, null while any is unknown.</summary>
    public long? TotalSizeBytes => Shards.All(s => s.SizeBytes is not null) ? Shards.Sum(s => s.SizeBytes!.Value) : null;

    /// <summary>Why the entry is unlocked, or null when it is locked.</summary>
    public string? UnlockedReason => Shards.FirstOrDefault(s => !s.IsLocked) is not { } shard ? null : (shard.Sha256, shard.SizeBytes) switch
    {
        (null, null) => $"model '{Ref}' ({shard.File}) has no sha256 and no sizeBytes in the lock: download it, run sha256sum and stat -c %s (or llmctl lock on the file), and record both",
        (null, _) => $"model '{Ref}' ({shard.File}) has no sha256 in the lock: the sha256 is not known yet; run llmctl lock (or sha256sum) on the file and record it",
        _ => $"model '{Ref}' ({shard.File}) has no sizeBytes in the lock: run stat -c %s on the file and record it",
    };

    public static bool IsSha256(string text) => Sha256Pattern().IsMatch(text);

    /// <summary>Whether <paramref name="text"/> is a valid ref (lowercase letters, digits and '-').</summary>
    public static bool IsRef(string text) => RefPattern().IsMatch(text);

    /// <summary>
    /// The ref <c>llmctl lock</c> gives a file: its name without <c>.gguf</c> and shard suffix, lowercased, dots dropped and
    /// everything else that is not a letter or digit turned into '-' (<c>Qwen3.6-35B-A3B-UD-Q4_K_M.gguf</c> →
    /// <c>qwen36-35b-a3b-ud-q4-k-m</c>).
    /// </summary>
    public static string RefFor(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var name = Path.GetFileName(fileName);
        name = ShardSuffix().Replace(name, "");
        if (name.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)) name = name[..^5];
        name = name.Replace(".", "", StringComparison.Ordinal).ToLowerInvariant();
        name = NotRefChars().Replace(name, "-").Trim('-');
        return name.Length == 0 ? "model" : name;
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Pattern();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")]
    private static partial Regex RefPattern();

    [GeneratedRegex("-[0-9]{5}-of-[0-9]{5}(?=\\.gguf$)", RegexOptions.IgnoreCase)]
    private static partial Regex ShardSuffix();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotRefChars();
}

/// <summary>One problem in a lock file, located: printed as <c>models.lock.yaml:12:7: models[0].sha256: 'x' is not a sha256 — fix</c>.</summary>
public sealed record LockDiagnostic(string File, int Line, int Column, string KeyPath, string Message, string? Fix)
{
    public override string ToString()
    {
        var where = Line > 0 ? $"{File}:{Line}:{Column}" : File;
        var key = string.IsNullOrEmpty(KeyPath) ? "" : KeyPath + ": ";
        var fix = string.IsNullOrEmpty(Fix) ? "" : " — " + Fix;
        return $"{where}: {key}{Message}{fix}";
    }
}

/// <summary>A lock file could not be read; every problem carries file:line:column.</summary>
public sealed class ModelLockException : Exception
{
    public ModelLockException(IReadOnlyList<LockDiagnostic> diagnostics)
        : base(string.Join(Environment.NewLine, diagnostics ?? throw new ArgumentNullException(nameof(diagnostics))))
    {
        Diagnostics = diagnostics;
    }

    public ModelLockException() : this([]) { }

    public ModelLockException(string message) : base(message) => Diagnostics = [];

    public ModelLockException(string message, Exception innerException) : base(message, innerException) => Diagnostics = [];

    public IReadOnlyList<LockDiagnostic> Diagnostics { get; }
}
