using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Llmctl.Fit.Gguf;

/// <summary>
/// Reads a GGUF header sequentially through its own buffer. Every count and length is checked against the bytes left
/// in the file (and <see cref="GgufLimits"/>) before anything is allocated; arithmetic on file values is checked; arrays
/// nest only <see cref="GgufLimits.MaxArrayDepth"/> deep. Nothing past the tensor infos is read.
/// </summary>
internal sealed class GgufReader
{
    private const uint Magic = 0x46554747; // "GGUF" read as a little-endian uint32
    private const int MinKvBytes = 8 + 4 + 1;           // empty key, type, smallest value
    private const int MinTensorInfoBytes = 8 + 4 + 4 + 8; // empty name, n_dims = 0, type, offset

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);
    private static readonly UTF8Encoding LenientUtf8 = new(false, false);

    private readonly Stream _stream;
    private readonly string _name;
    private readonly long _length;
    private readonly GgufLimits _limits;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _bufferStart;
    private int _bufferEnd;
    private long _position;
    private bool _bigEndian;
    private long _stringBytes;
    private long _arrayElements;

    public GgufReader(Stream stream, string name, long length, GgufLimits limits)
    {
        _stream = stream;
        _name = name;
        _length = length;
        _limits = limits;
    }

    private long Left => _length - _position;

    public GgufFile ReadFile()
    {
        if (_length < 4) throw Fail(0, $"the file is {_length} byte(s) long; a GGUF file starts with the 4 bytes 'GGUF'");
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
        if (magic != Magic) throw Fail(0, "not a GGUF file (it does not start with the bytes 'GGUF')");
        var versionAt = _position;
        var raw = ReadUInt32();
        uint version;
        if (raw is 2 or 3) version = raw;
        else if ((raw & 0xFFFF) == 0 && BinaryPrimitives.ReverseEndianness(raw) == 3)
        {
            version = 3;
            _bigEndian = true;
        }
        else if (raw == 1) throw Fail(versionAt, "GGUF version 1 (32-bit counts, 2023) is not supported; convert the model again with a current llama.cpp");
        else throw Fail(versionAt, $"GGUF version {raw} is not supported (this llmctl reads versions 2 and 3)");

        var tensorCount = ReadCount("the tensor count", MinTensorInfoBytes, _limits.MaxTensorCount, afterHeader: 8);
        var kvCount = ReadCount("the metadata count", MinKvBytes, _limits.MaxMetadataCount, afterHeader: 0);

        var metadata = new List<KeyValuePair<string, GgufValue>>((int)Math.Min(kvCount, 1024));
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (long i = 0; i < kvCount; i++)
        {
            var keyAt = _position;
            var key = ReadString($"metadata key #{i}", _limits.MaxKeyBytes, strict: true);
            if (key.Length == 0) throw Fail(keyAt, $"metadata key #{i} is empty");
            if (!keys.Add(key)) throw Fail(keyAt, $"metadata key '{Printable(key)}' appears twice");
            var typeAt = _position;
            var what = $"metadata '{Printable(key)}'";
            var type = ReadValueType(what, typeAt);
            metadata.Add(new(key, ReadValue(type, what, depth: 0)));
        }

        uint alignment = GgufFile.DefaultAlignment;
        var alignmentValue = metadata.FirstOrDefault(kv => kv.Key == "general.alignment").Value;
        if (alignmentValue is not null)
        {
            if (alignmentValue.Value is not uint a || a == 0 || (a & (a - 1)) != 0)
            {
                throw Fail(_position, $"general.alignment is {alignmentValue.Type} {alignmentValue}; it must be a uint32 power of two");
            }
            alignment = a;
        }

        var tensors = new List<GgufTensorInfo>((int)Math.Min(tensorCount, 4096));
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (long i = 0; i < tensorCount; i++)
        {
            tensors.Add(ReadTensorInfo(i, names));
        }

        var infosEnd = _position;
        var dataOffset = checked(infosEnd + (alignment - infosEnd % alignment) % alignment);
        if (tensors.Count > 0 && dataOffset > _length)
        {
            throw Fail(infosEnd, $"the tensor data would start at byte {dataOffset}, past the end of the {_length}-byte file");
        }
        var dataLength = _length - dataOffset;
        foreach (var t in tensors)
        {
            var name = Printable(t.Name);
            if (t.Offset % alignment != 0)
            {
                throw Fail(infosEnd, $"tensor '{name}' starts at data offset {t.Offset}, which is not a multiple of the alignment {alignment}");
            }
            var end = t.ByteSize is { } size ? t.Offset + size : t.Offset; // both ≤ long.MaxValue / 2: no overflow
            if (t.Offset > dataLength || end > dataLength)
            {
                throw Fail(infosEnd, $"tensor '{name}' ({t.TypeName}, {t.ByteSize?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"} bytes at data offset {t.Offset}) "
                    + $"runs past the end of the file: the tensor data holds {Math.Max(dataLength, 0)} bytes (is the file truncated?)");
            }
        }
        return new GgufFile(_name, version, _bigEndian, metadata, tensors, alignment, dataOffset, _length);
    }

    private GgufTensorInfo ReadTensorInfo(long index, HashSet<string> names)
    {
        var at = _position;
        var rawName = ReadString($"tensor #{index}'s name", _limits.MaxTensorNameBytes, strict: true);
        if (!names.Add(rawName)) throw Fail(at, $"tensor '{Printable(rawName)}' appears twice");
        var name = Printable(rawName);
        var nDimsAt = _position;
        var nDims = ReadUInt32();
        if (nDims > _limits.MaxDimensions) throw Fail(nDimsAt, $"tensor '{name}' has {nDims} dimensions; at most {_limits.MaxDimensions} are allowed");
        if ((long)nDims * 8 + 12 > Left) throw Fail(nDimsAt, $"tensor '{name}': {nDims} dimensions do not fit in the {Left} bytes left in the file");
        var dims = new long[nDims];
        long elements = 1;
        for (var d = 0; d < nDims; d++)
        {
            var dimAt = _position;
            var dim = ReadUInt64();
            if (dim > long.MaxValue) throw Fail(dimAt, $"tensor '{name}': dimension {d} is {dim}, more than 2^63 − 1");
            dims[d] = (long)dim;
            if (dims[d] != 0 && elements > long.MaxValue / dims[d]) throw Fail(dimAt, $"tensor '{name}': its element count overflows 64 bits");
            elements *= dims[d];
        }
        var typeAt = _position;
        var type = ReadUInt32();
        var offsetAt = _position;
        var offset = ReadUInt64();
        if (offset > long.MaxValue / 2) throw Fail(offsetAt, $"tensor '{name}': data offset {offset} is beyond any file");
        long? size;
        try
        {
            size = GgmlType.ByteSize(type, dims);
        }
        catch (OverflowException)
        {
            throw Fail(typeAt, $"tensor '{name}' ({GgmlType.Name(type)}, [{string.Join(", ", dims)}]): its size in bytes overflows 64 bits");
        }
        catch (ArgumentException ex)
        {
            throw Fail(typeAt, $"tensor '{name}' ({GgmlType.Name(type)}): {ex.Message}");
        }
        if (size > long.MaxValue / 2) throw Fail(typeAt, $"tensor '{name}': {size} bytes is beyond any file");
        return new GgufTensorInfo(rawName, dims, type, (long)offset) { ByteSize = size };
    }

    private GgufValueType ReadValueType(string what, long at)
    {
        var raw = ReadUInt32();
        if (raw > (uint)GgufValueType.Float64) throw Fail(at, $"{what} has value type {raw}, which is not a GGUF value type (0–12)");
        return (GgufValueType)raw;
    }

    private GgufValue ReadValue(GgufValueType type, string what, int depth) => new(type, type switch
    {
        GgufValueType.UInt8 => Take(1)[0],
        GgufValueType.Int8 => (sbyte)Take(1)[0],
        GgufValueType.UInt16 => ReadUInt16(),
        GgufValueType.Int16 => (short)ReadUInt16(),
        GgufValueType.UInt32 => ReadUInt32(),
        GgufValueType.Int32 => (int)ReadUInt32(),
        GgufValueType.Float32 => BitConverter.UInt32BitsToSingle(ReadUInt32()),
        GgufValueType.Bool => ReadBool(what),
        GgufValueType.String => ReadString(what, _limits.MaxStringBytes, strict: false),
        GgufValueType.Array => ReadArray(what, depth + 1),
        GgufValueType.UInt64 => ReadUInt64(),
        GgufValueType.Int64 => (long)ReadUInt64(),
        GgufValueType.Float64 => BitConverter.UInt64BitsToDouble(ReadUInt64()),
        _ => throw new InvalidOperationException("unreachable: the type was checked"),
    });

    private GgufArray ReadArray(string what, int depth)
    {
        var at = _position;
        if (depth > _limits.MaxArrayDepth) throw Fail(at, $"{what}: arrays nest more than {_limits.MaxArrayDepth} deep");
        var elementType = ReadValueType($"{what}'s elements", at);
        var countAt = _position;
        var count = ReadUInt64();
        var min = MinBytes(elementType);
        if (count > (ulong)(Math.Max(Left, 0) / min))
        {
            throw Fail(countAt, $"{what}: an array of {count} {elementType} elements does not fit in the {Left} bytes left in the file");
        }
        _arrayElements += (long)count;
        if (_arrayElements > _limits.MaxTotalArrayElements)
        {
            throw Fail(countAt, $"{what}: the file's arrays hold more than {_limits.MaxTotalArrayElements} elements together, more than any model needs");
        }
        var n = (int)count; // ≤ MaxTotalArrayElements
        switch (elementType)
        {
            case GgufValueType.UInt8: return new(elementType, Take(n).ToArray());
            case GgufValueType.Int8: return new(elementType, Fill(n, () => (sbyte)Take(1)[0]));
            case GgufValueType.UInt16: return new(elementType, Fill(n, ReadUInt16));
            case GgufValueType.Int16: return new(elementType, Fill(n, () => (short)ReadUInt16()));
            case GgufValueType.UInt32: return new(elementType, Fill(n, ReadUInt32));
            case GgufValueType.Int32: return new(elementType, Fill(n, () => (int)ReadUInt32()));
            case GgufValueType.Float32: return new(elementType, Fill(n, () => BitConverter.UInt32BitsToSingle(ReadUInt32())));
            case GgufValueType.Bool: return new(elementType, Fill(n, () => ReadBool(what)));
            case GgufValueType.UInt64: return new(elementType, Fill(n, ReadUInt64));
            case GgufValueType.Int64: return new(elementType, Fill(n, () => (long)ReadUInt64()));
            case GgufValueType.Float64: return new(elementType, Fill(n, () => BitConverter.UInt64BitsToDouble(ReadUInt64())));
            case GgufValueType.String:
                var strings = new string[n];
                for (var i = 0; i < n; i++) strings[i] = ReadString(what, _limits.MaxStringBytes, strict: false, index: i);
                return new(elementType, strings);
            default:
                var arrays = new GgufArray[n];
                for (var i = 0; i < n; i++) arrays[i] = ReadArray($"{what}[{i}]", depth + 1);
                return new(elementType, arrays);
        }
    }

    private static T[] Fill<T>(int n, Func<T> read)
    {
        var items = new T[n];
        for (var i = 0; i < n; i++) items[i] = read();
        return items;
    }

    private static int MinBytes(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.String or GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 => 8,
        _ => 4 + 8, // a nested array: element type and count
    };

    private bool ReadBool(string what)
    {
        var at = _position;
        return Take(1)[0] switch
        {
            0 => false,
            1 => true,
            var b => throw Fail(at, $"{what}: bool byte {b} is neither 0 nor 1"),
        };
    }

    private long ReadCount(string what, int minBytesEach, long cap, int afterHeader)
    {
        var at = _position;
        var count = ReadUInt64();
        var room = Math.Max(Left - afterHeader, 0) / minBytesEach;
        if (count > (ulong)room) throw Fail(at, $"{what} is {count}, but the {Left} bytes left in the file hold at most {room}");
        if (count > (ulong)cap) throw Fail(at, $"{what} is {count}, more than the {cap} this reader accepts");
        return (long)count;
    }

    private string ReadString(string what, int maxBytes, bool strict, long index = -1)
    {
        if (index >= 0 && Left >= 8)
        {
            // The common case of a long string array: no label is built unless something is wrong.
            var peek = PeekUInt64();
            if (peek <= (ulong)Math.Min(Left - 8, maxBytes) && _stringBytes + (long)peek <= _limits.MaxTotalStringBytes && peek <= (ulong)_buffer.Length)
            {
                _ = ReadUInt64();
                _stringBytes += (long)peek;
                return peek == 0 ? "" : LenientUtf8.GetString(Take((int)peek));
            }
            what = $"{what}[{index}]";
        }
        var at = _position;
        var length = ReadUInt64();
        if (length > (ulong)Math.Max(Left, 0)) throw Fail(at, $"{what}: a string of {length} bytes does not fit in the {Left} bytes left in the file");
        if (length > (ulong)maxBytes) throw Fail(at, $"{what}: a string of {length} bytes is longer than the {maxBytes} allowed");
        var n = (int)length;
        _stringBytes += n;
        if (_stringBytes > _limits.MaxTotalStringBytes) throw Fail(at, $"{what}: the file's strings exceed {_limits.MaxTotalStringBytes} bytes together");
        if (n == 0) return "";
        if (n <= _buffer.Length)
        {
            var span = Take(n);
            return Decode(span, strict, what, at);
        }
        var rented = ArrayPool<byte>.Shared.Rent(n);
        try
        {
            ReadInto(rented.AsSpan(0, n));
            return Decode(rented.AsSpan(0, n), strict, what, at);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private string Decode(ReadOnlySpan<byte> bytes, bool strict, string what, long at)
    {
        if (!strict) return LenientUtf8.GetString(bytes);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Fail(at, $"{what} is not valid UTF-8");
        }
    }

    private ulong PeekUInt64()
    {
        var span = Take(8);
        _bufferStart -= 8;
        _position -= 8;
        return _bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(span) : BinaryPrimitives.ReadUInt64LittleEndian(span);
    }

    private ushort ReadUInt16()
    {
        var span = Take(2);
        return _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span);
    }

    private uint ReadUInt32()
    {
        var span = Take(4);
        return _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span);
    }

    private ulong ReadUInt64()
    {
        var span = Take(8);
        return _bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(span) : BinaryPrimitives.ReadUInt64LittleEndian(span);
    }

    /// <summary>The next <paramref name="n"/> bytes (n ≤ the buffer size), valid until the next read.</summary>
    private ReadOnlySpan<byte> Take(int n)
    {
        if (n > Left) throw Fail(_position, $"the file ends {Left} byte(s) after this point, but {n} more are needed (is it truncated?)");
        if (_bufferEnd - _bufferStart < n) Fill(n);
        var span = _buffer.AsSpan(_bufferStart, n);
        _bufferStart += n;
        _position += n;
        return span;
    }

    private void ReadInto(Span<byte> target)
    {
        if (target.Length > Left) throw Fail(_position, $"the file ends {Left} byte(s) after this point, but {target.Length} more are needed (is it truncated?)");
        var buffered = Math.Min(_bufferEnd - _bufferStart, target.Length);
        _buffer.AsSpan(_bufferStart, buffered).CopyTo(target);
        _bufferStart += buffered;
        var done = buffered;
        while (done < target.Length)
        {
            var read = _stream.Read(target[done..]);
            if (read <= 0) throw Fail(_position + done, "the stream ended before the file's declared length (is it truncated?)");
            done += read;
        }
        _position += target.Length;
    }

    private void Fill(int need)
    {
        var kept = _bufferEnd - _bufferStart;
        Buffer.BlockCopy(_buffer, _bufferStart, _buffer, 0, kept);
        _bufferStart = 0;
        _bufferEnd = kept;
        // Never read past the declared end of the file.
        var room = (int)Math.Min(_buffer.Length - _bufferEnd, _length - _position - kept);
        while (_bufferEnd < need)
        {
            var read = _stream.Read(_buffer, _bufferEnd, room - (_bufferEnd - kept));
            if (read <= 0) throw Fail(_position + _bufferEnd, "the stream ended before the file's declared length (is it truncated?)");
            _bufferEnd += read;
        }
    }

    private GgufFormatException Fail(long at, string problem) => new(_name, at, problem);

    /// <summary>A key or name as it may appear in a message: control characters escaped, at most 80 characters.</summary>
    internal static string Printable(string text)
    {
        var clipped = text.Length > 80 ? text[..80] + "…" : text;
        if (!clipped.Any(char.IsControl)) return clipped;
        var sb = new StringBuilder(clipped.Length + 8);
        foreach (var c in clipped) sb.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString());
        return sb.ToString();
    }
}
