using System.Buffers.Binary;
using System.Text;
using Llmctl.Fit.Gguf;

namespace Llmctl.Testing;

/// <summary>
/// Writes synthetic GGUF files for tests, independently of the reader: the layout of <c>vram_fit.md</c> §1.1, every value
/// type, nested arrays, tensors of any ggml type with the block sizes of §1.3 (given here as a separate table), little- or
/// big-endian. Tensor data is zeros, each tensor at the next multiple of the alignment.
/// </summary>
public sealed class GgufBuilder
{
    /// <summary>(elements per block, bytes per block) per ggml type id, copied from the reference table, not from the reader.</summary>
    public static readonly Dictionary<uint, (int Block, int Bytes)> ReferenceSizes = new()
    {
        [0] = (1, 4), [1] = (1, 2), [2] = (32, 18), [3] = (32, 20), [6] = (32, 22), [7] = (32, 24), [8] = (32, 34), [9] = (32, 36),
        [10] = (256, 84), [11] = (256, 110), [12] = (256, 144), [13] = (256, 176), [14] = (256, 210), [15] = (256, 292),
        [16] = (256, 66), [17] = (256, 74), [18] = (256, 98), [19] = (256, 50), [20] = (32, 18), [21] = (256, 110), [22] = (256, 82),
        [23] = (256, 136), [24] = (1, 1), [25] = (1, 2), [26] = (1, 4), [27] = (1, 8), [28] = (1, 8), [29] = (256, 56), [30] = (1, 2),
        [31] = (32, 18), [32] = (32, 18), [33] = (32, 18), [34] = (256, 54), [35] = (256, 66), [36] = (32, 18), [37] = (32, 18),
        [38] = (32, 18), [39] = (32, 17), [40] = (64, 36), [41] = (128, 18), [42] = (64, 18),
    };

    private readonly List<(string Key, GgufValueType Type, object Value)> _kv = [];
    private readonly List<(string Name, long[] Dims, uint Type, long? Offset)> _tensors = [];

    public uint Version { get; init; } = 3;
    public bool BigEndian { get; init; }
    public uint Alignment { get; init; } = 32;
    /// <summary>Leave the tensor data out (a header-only file, as a truncated download would be).</summary>
    public bool OmitData { get; init; }

    public GgufBuilder Add(string key, GgufValueType type, object value)
    {
        _kv.Add((key, type, value));
        return this;
    }

    public GgufBuilder Str(string key, string value) => Add(key, GgufValueType.String, value);
    public GgufBuilder U32(string key, uint value) => Add(key, GgufValueType.UInt32, value);
    public GgufBuilder U32s(string key, params uint[] values) => Add(key, GgufValueType.Array, (GgufValueType.UInt32, (object)values));

    public GgufBuilder Tensor(string name, uint type, params long[] dims)
    {
        _tensors.Add((name, dims, type, null));
        return this;
    }

    public GgufBuilder TensorAt(string name, uint type, long offset, params long[] dims)
    {
        _tensors.Add((name, dims, type, offset));
        return this;
    }

    public static long SizeOf(uint type, long[] dims)
    {
        var (block, bytes) = ReferenceSizes[type];
        long n = dims[0] / block * bytes;
        foreach (var d in dims.Skip(1)) n *= d;
        return n;
    }

    public byte[] Build()
    {
        var ms = new MemoryStream();
        ms.Write("GGUF"u8);
        U32(ms, Version);
        U64(ms, (ulong)_tensors.Count);
        U64(ms, (ulong)_kv.Count);
        foreach (var (key, type, value) in _kv)
        {
            String(ms, key);
            U32(ms, (uint)type);
            Value(ms, type, value);
        }
        long next = 0;
        var offsets = new List<long>();
        foreach (var (name, dims, type, offset) in _tensors)
        {
            String(ms, name);
            U32(ms, (uint)dims.Length);
            foreach (var d in dims) U64(ms, (ulong)d);
            U32(ms, type);
            var at = offset ?? next;
            U64(ms, (ulong)at);
            offsets.Add(at);
            var size = ReferenceSizes.ContainsKey(type) ? SizeOf(type, dims) : 0;
            next = Align(at + size);
        }
        if (!OmitData && _tensors.Count > 0 && next is >= 0 and < 64L * 1024 * 1024)
        {
            var dataStart = Align(ms.Length);
            ms.SetLength(dataStart + next);
        }
        return ms.ToArray();
    }

    private long Align(long o) => o + (Alignment - o % Alignment) % Alignment;

    private void Value(Stream s, GgufValueType type, object value)
    {
        switch (type)
        {
            case GgufValueType.UInt8: s.WriteByte((byte)value); break;
            case GgufValueType.Int8: s.WriteByte((byte)(sbyte)value); break;
            case GgufValueType.UInt16: U16(s, (ushort)value); break;
            case GgufValueType.Int16: U16(s, (ushort)(short)value); break;
            case GgufValueType.UInt32: U32(s, (uint)value); break;
            case GgufValueType.Int32: U32(s, (uint)(int)value); break;
            case GgufValueType.Float32: U32(s, BitConverter.SingleToUInt32Bits((float)value)); break;
            case GgufValueType.Bool: s.WriteByte((bool)value ? (byte)1 : (byte)0); break;
            case GgufValueType.String: String(s, (string)value); break;
            case GgufValueType.UInt64: U64(s, (ulong)value); break;
            case GgufValueType.Int64: U64(s, (ulong)(long)value); break;
            case GgufValueType.Float64: U64(s, BitConverter.DoubleToUInt64Bits((double)value)); break;
            case GgufValueType.Array:
                var (elementType, items) = ((GgufValueType, object))value;
                var array = (Array)items;
                U32(s, (uint)elementType);
                U64(s, (ulong)array.Length);
                foreach (var item in array) Value(s, elementType, item!);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(type));
        }
    }

    private void String(Stream s, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        U64(s, (ulong)bytes.Length);
        s.Write(bytes);
    }

    private void U16(Stream s, ushort v)
    {
        Span<byte> b = stackalloc byte[2];
        if (BigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, v); else BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        s.Write(b);
    }

    private void U32(Stream s, uint v)
    {
        Span<byte> b = stackalloc byte[4];
        if (BigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        s.Write(b);
    }

    private void U64(Stream s, ulong v)
    {
        Span<byte> b = stackalloc byte[8];
        if (BigEndian) BinaryPrimitives.WriteUInt64BigEndian(b, v); else BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        s.Write(b);
    }

    public static GgufFile Read(byte[] bytes, string name = "test.gguf") => GgufFile.Read(new MemoryStream(bytes), name);
}

/// <summary>Synthetic split models (<c>&lt;base&gt;-0000i-of-0000n.gguf</c>), shaped like llama.cpp's gguf-split output.</summary>
public static class SplitFiles
{
    /// <summary>
    /// Writes a two-block llama model split into <paramref name="count"/> shards in <paramref name="dir"/>: the first
    /// shard carries the metadata, every shard split.no / split.count / split.tensors.count and some of the 8 tensors
    /// (F16, 64 × 64 each, 8192 bytes). Returns the paths in order.
    /// </summary>
    public static IReadOnlyList<string> Write(string dir, string baseName, int count)
    {
        string[] tensors = ["token_embd.weight", "blk.0.attn_q.weight", "blk.0.ffn_up.weight", "blk.0.attn_norm.weight",
            "blk.1.attn_q.weight", "blk.1.ffn_up.weight", "blk.1.attn_norm.weight", "output.weight"];
        var paths = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var b = new GgufBuilder()
                .Add("split.no", Fit.Gguf.GgufValueType.UInt16, (ushort)i)
                .Add("split.count", Fit.Gguf.GgufValueType.UInt16, (ushort)count)
                .Add("split.tensors.count", Fit.Gguf.GgufValueType.Int32, tensors.Length);
            if (i == 0)
            {
                b.Str("general.architecture", "llama").U32("llama.block_count", 2).U32("llama.embedding_length", 64)
                    .U32("llama.attention.head_count", 4).U32("llama.context_length", 2048);
            }
            for (var t = i; t < tensors.Length; t += count) b.Tensor(tensors[t], 1, 64, 64);
            var path = Path.Combine(dir, $"{baseName}-{i + 1:D5}-of-{count:D5}.gguf");
            File.WriteAllBytes(path, b.Build());
            paths.Add(path);
        }
        return paths;
    }
}
