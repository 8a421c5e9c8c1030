using System.Globalization;

namespace Llmctl.Fit.Gguf;

/// <summary><c>gguf_metadata_value_type</c> (<c>vram_fit.md</c> §1.2).</summary>
public enum GgufValueType : uint
{
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
}

/// <summary>
/// One metadata value. <see cref="Value"/> is the CLR value of <see cref="Type"/>: <c>byte</c>, <c>sbyte</c>, <c>ushort</c>,
/// <c>short</c>, <c>uint</c>, <c>int</c>, <c>float</c>, <c>bool</c>, <c>string</c>, <see cref="GgufArray"/>, <c>ulong</c>,
/// <c>long</c> or <c>double</c>.
/// </summary>
public sealed record GgufValue(GgufValueType Type, object Value)
{
    /// <summary>The value as a whole number when it is an integer type that fits in a long; null otherwise.</summary>
    public long? AsInteger() => ToInteger(Value);

    public string? AsString() => Value as string;

    public bool? AsBool() => Value is bool b ? b : null;

    public GgufArray? AsArray() => Value as GgufArray;

    public override string ToString() => Value switch
    {
        string s => s,
        GgufArray a => $"[{a.ElementType} × {a.Count}]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Value.ToString() ?? "",
    };

    internal static long? ToInteger(object value) => value switch
    {
        byte v => v,
        sbyte v => v,
        ushort v => v,
        short v => v,
        uint v => v,
        int v => v,
        ulong v => v <= long.MaxValue ? (long)v : null,
        long v => v,
        _ => null,
    };
}

/// <summary>
/// An array value: <see cref="Items"/> is a typed CLR array (<c>uint[]</c>, <c>string[]</c>, <c>bool[]</c>, … and
/// <c>GgufArray[]</c> for nested arrays), never one object per element.
/// </summary>
public sealed record GgufArray(GgufValueType ElementType, Array Items)
{
    public int Count => Items.Length;

    /// <summary>The elements as whole numbers when the element type is an integer type and every one fits in a long.</summary>
    public IReadOnlyList<long>? AsIntegers()
    {
        if (ElementType is GgufValueType.String or GgufValueType.Array or GgufValueType.Bool or GgufValueType.Float32 or GgufValueType.Float64) return null;
        var result = new long[Items.Length];
        for (var i = 0; i < result.Length; i++)
        {
            if (GgufValue.ToInteger(Items.GetValue(i)!) is not { } v) return null;
            result[i] = v;
        }
        return result;
    }

    public IReadOnlyList<bool>? AsBools() => Items as bool[];

    public IReadOnlyList<string>? AsStrings() => Items as string[];
}
