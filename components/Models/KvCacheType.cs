using System.Diagnostics.CodeAnalysis;

namespace Llmctl.Components.Models;

/// <summary>The KV cache element types llama.cpp accepts for <c>--cache-type-k</c> / <c>--cache-type-v</c>.</summary>
public enum KvCacheType
{
    F32,
    F16,
    Bf16,
    Q8_0,
    Q4_0,
    Q4_1,
    Iq4_Nl,
    Q5_0,
    Q5_1,
}

public static class KvCacheTypes
{
    /// <summary>The flag value (<c>q8_0</c>, <c>f16</c>).</summary>
    public static string ToFlag(this KvCacheType type) => type.ToString().ToLowerInvariant();

    public static IReadOnlyList<string> Flags { get; } = Enum.GetValues<KvCacheType>().Select(ToFlag).ToArray();

    public static bool TryParse(string? text, [NotNullWhen(true)] out KvCacheType? type)
    {
        foreach (var candidate in Enum.GetValues<KvCacheType>())
        {
            if (string.Equals(candidate.ToFlag(), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                type = candidate;
                return true;
            }
        }
        type = null;
        return false;
    }

    public static KvCacheType Parse(string? text) => TryParse(text, out var type)
        ? type.Value
        : throw new FormatException($"'{text}' is not a llama.cpp KV cache type; use one of {string.Join(", ", Flags)}");
}
