namespace Llmctl.Fit.Gguf;

/// <summary>
/// The block size and bytes per block of every <c>ggml_type</c> id a GGUF file may carry (<c>ggml/include/ggml.h</c>,
/// sizes from <c>ggml-common.h</c> and gguf-py <c>GGML_QUANT_SIZES</c>; table in <c>vram_fit.md</c> §1.3). Ids 4 and 5
/// (Q4_2, Q4_3) were removed and have no size; an id this table does not know is tolerated by the reader and reported
/// when a size is needed.
/// </summary>
public static class GgmlType
{
    /// <summary>(name, elements per block, bytes per block) by type id.</summary>
    private static readonly Dictionary<uint, (string Name, int BlockSize, int TypeSize)> Types = new()
    {
        [0] = ("F32", 1, 4),
        [1] = ("F16", 1, 2),
        [2] = ("Q4_0", 32, 18),
        [3] = ("Q4_1", 32, 20),
        [6] = ("Q5_0", 32, 22),
        [7] = ("Q5_1", 32, 24),
        [8] = ("Q8_0", 32, 34),
        [9] = ("Q8_1", 32, 36),
        [10] = ("Q2_K", 256, 84),
        [11] = ("Q3_K", 256, 110),
        [12] = ("Q4_K", 256, 144),
        [13] = ("Q5_K", 256, 176),
        [14] = ("Q6_K", 256, 210),
        [15] = ("Q8_K", 256, 292),
        [16] = ("IQ2_XXS", 256, 66),
        [17] = ("IQ2_XS", 256, 74),
        [18] = ("IQ3_XXS", 256, 98),
        [19] = ("IQ1_S", 256, 50),
        [20] = ("IQ4_NL", 32, 18),
        [21] = ("IQ3_S", 256, 110),
        [22] = ("IQ2_S", 256, 82),
        [23] = ("IQ4_XS", 256, 136),
        [24] = ("I8", 1, 1),
        [25] = ("I16", 1, 2),
        [26] = ("I32", 1, 4),
        [27] = ("I64", 1, 8),
        [28] = ("F64", 1, 8),
        [29] = ("IQ1_M", 256, 56),
        [30] = ("BF16", 1, 2),
        [31] = ("Q4_0_4_4", 32, 18),
        [32] = ("Q4_0_4_8", 32, 18),
        [33] = ("Q4_0_8_8", 32, 18),
        [34] = ("TQ1_0", 256, 54),
        [35] = ("TQ2_0", 256, 66),
        [36] = ("IQ4_NL_4_4", 32, 18),
        [37] = ("IQ4_NL_4_8", 32, 18),
        [38] = ("IQ4_NL_8_8", 32, 18),
        [39] = ("MXFP4", 32, 17),
        [40] = ("NVFP4", 64, 36),
        [41] = ("Q1_0", 128, 18),
        [42] = ("Q2_0", 64, 18),
    };

    /// <summary>Every known type id.</summary>
    public static IEnumerable<uint> KnownIds => Types.Keys;

    public static bool IsKnown(uint id) => Types.ContainsKey(id);

    /// <summary>The type's name (<c>Q4_K</c>), or <c>type N</c> for an id this table does not know.</summary>
    public static string Name(uint id) => Types.TryGetValue(id, out var t) ? t.Name : $"type {id}";

    /// <summary>Elements per block and bytes per block, false for an unknown id.</summary>
    public static bool TryGetBlock(uint id, out int blockSize, out int typeSize)
    {
        if (Types.TryGetValue(id, out var t))
        {
            (blockSize, typeSize) = (t.BlockSize, t.TypeSize);
            return true;
        }
        (blockSize, typeSize) = (0, 0);
        return false;
    }

    /// <summary>
    /// <c>ggml_nbytes</c> of a tensor: <c>ne0 / block * type_size * ne1 * ne2 * ne3</c>. Null when the id is unknown;
    /// throws <see cref="OverflowException"/> when the product does not fit in 63 bits and
    /// <see cref="ArgumentException"/> when ne0 is not a multiple of the block size.
    /// </summary>
    public static long? ByteSize(uint id, IReadOnlyList<long> dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        if (!TryGetBlock(id, out var block, out var size)) return null;
        var ne0 = dimensions.Count > 0 ? dimensions[0] : 1;
        if (ne0 % block != 0)
        {
            throw new ArgumentException($"its first dimension {ne0} is not a multiple of {Name(id)}'s block size {block}");
        }
        var bytes = checked(ne0 / block * size);
        for (var i = 1; i < dimensions.Count; i++) bytes = checked(bytes * dimensions[i]);
        return bytes;
    }
}
