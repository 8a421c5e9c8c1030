namespace Llmctl.Fit.Gguf;

/// <summary>One tensor info: name, dimensions (ne0 first), ggml type id and offset from the start of the tensor data.</summary>
public sealed record GgufTensorInfo(string Name, IReadOnlyList<long> Dimensions, uint TypeId, long Offset)
{
    /// <summary><c>ggml_nbytes</c>, null when the type id is not one <see cref="GgmlType"/> knows.</summary>
    public long? ByteSize { get; init; }

    public string TypeName => GgmlType.Name(TypeId);

    public bool Equals(GgufTensorInfo? other) => other is not null && Name == other.Name && TypeId == other.TypeId
        && Offset == other.Offset && ByteSize == other.ByteSize && Dimensions.SequenceEqual(other.Dimensions);

    public override int GetHashCode() => HashCode.Combine(Name, TypeId, Offset, Dimensions.Count);
}

/// <summary>
/// A GGUF file's header, metadata and tensor infos (v2 and v3, little- and big-endian), read without touching the
/// tensor data. <see cref="Read(Stream, string, long?, GgufLimits?)"/> reads from any stream — a file, or an HTTP range
/// stream — and checks every count and length against the bytes left in the file before allocating.
/// </summary>
public sealed class GgufFile
{
    public const uint DefaultAlignment = 32;

    internal GgufFile(string name, uint version, bool bigEndian, IReadOnlyList<KeyValuePair<string, GgufValue>> metadata,
        IReadOnlyList<GgufTensorInfo> tensors, uint alignment, long dataOffset, long length)
    {
        Name = name;
        Version = version;
        BigEndian = bigEndian;
        Metadata = metadata;
        Tensors = tensors;
        Alignment = alignment;
        DataOffset = dataOffset;
        Length = length;
        _byKey = metadata.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
    }

    private readonly Dictionary<string, GgufValue> _byKey;

    /// <summary>How the file was named when read (its path or URL), for messages.</summary>
    public string Name { get; }
    public uint Version { get; }
    public bool BigEndian { get; }
    /// <summary>The key/value pairs in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, GgufValue>> Metadata { get; }
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }
    /// <summary><c>general.alignment</c>, 32 when absent.</summary>
    public uint Alignment { get; }
    /// <summary>Where the tensor data starts: the end of the tensor infos padded to <see cref="Alignment"/>.</summary>
    public long DataOffset { get; }
    /// <summary>The whole file's length in bytes.</summary>
    public long Length { get; }

    public GgufValue? this[string key] => _byKey.GetValueOrDefault(key);

    public bool Contains(string key) => _byKey.ContainsKey(key);

    /// <summary><c>general.architecture</c>, or null.</summary>
    public string? Architecture => this["general.architecture"]?.AsString();

    /// <summary>Reads a file from disk.</summary>
    public static GgufFile Read(string path, GgufLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return Read(stream, path, null, limits);
    }

    /// <summary>
    /// Reads the header, metadata and tensor infos from <paramref name="stream"/>, positioned at the file's first byte.
    /// <paramref name="length"/> is the whole file's length; when null the stream must be seekable and its
    /// <see cref="Stream.Length"/> is used. Throws <see cref="GgufFormatException"/> naming the byte and the problem.
    /// </summary>
    public static GgufFile Read(Stream stream, string name, long? length = null, GgufLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        var total = length ?? (stream.CanSeek ? stream.Length - stream.Position
            : throw new ArgumentException("the stream is not seekable: pass the file's length", nameof(length)));
        return new GgufReader(stream, name, total, limits ?? GgufLimits.Default).ReadFile();
    }
}
