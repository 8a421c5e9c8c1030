using System.Diagnostics.CodeAnalysis;

namespace Llmctl.Fit.Estimate;

/// <summary>
/// The KV cache element types llama.cpp accepts for <c>-ctk</c> / <c>-ctv</c>, with ggml's block layout: a row of n
/// elements takes <c>n / BlockElements × BlockBytes</c> bytes (ggml <c>ggml_row_size</c>; reference/vram_fit.md §1.3, §3.3).
/// </summary>
public sealed record CacheType(string Name, int BlockElements, int BlockBytes)
{
    public static readonly CacheType F32 = new("f32", 1, 4);
    public static readonly CacheType F16 = new("f16", 1, 2);
    public static readonly CacheType Bf16 = new("bf16", 1, 2);
    public static readonly CacheType Q8_0 = new("q8_0", 32, 34);
    public static readonly CacheType Q4_0 = new("q4_0", 32, 18);
    public static readonly CacheType Q4_1 = new("q4_1", 32, 20);
    public static readonly CacheType Iq4Nl = new("iq4_nl", 32, 18);
    public static readonly CacheType Q5_0 = new("q5_0", 32, 22);
    public static readonly CacheType Q5_1 = new("q5_1", 32, 24);

    public static IReadOnlyList<CacheType> All { get; } = [F32, F16, Bf16, Q8_0, Q4_0, Q4_1, Iq4Nl, Q5_0, Q5_1];

    /// <summary>Quantized types (not f32/f16/bf16): a quantized V cache needs flash attention in llama.cpp.</summary>
    public bool IsQuantized => BlockElements > 1;

    /// <summary>Bytes of a row of <paramref name="elements"/> (rounded up to whole blocks).</summary>
    public long RowBytes(long elements) => (elements + BlockElements - 1) / BlockElements * BlockBytes;

    public static bool TryParse(string? text, [NotNullWhen(true)] out CacheType? type)
    {
        type = All.FirstOrDefault(t => string.Equals(t.Name, text?.Trim(), StringComparison.OrdinalIgnoreCase));
        return type is not null;
    }

    public static CacheType Parse(string text) => TryParse(text, out var type)
        ? type
        : throw new FormatException($"'{text}' is not a KV cache type; use one of {string.Join(", ", All.Select(t => t.Name))}");

    public override string ToString() => Name;
}
