using System.Diagnostics.CodeAnalysis;
using Llmctl.Components.Gpu;

namespace Llmctl.Stacks;

/// <summary>
/// One kind of GPU hardware a node can carry. <paramref name="VramMiB"/> is per GPU, as <c>nvidia-smi</c>
/// (<c>memory.total</c>) or the ROCm tools report it; <paramref name="UnifiedMemory"/> marks machines whose GPU shares
/// system memory, where the usable amount depends on the BIOS/GTT split.
/// </summary>
public sealed record GpuHardware(
    string Key,
    GpuVendor Vendor,
    string DisplayName,
    int VramMiB,
    GpuTier Tier,
    string? Family = null,
    int GpuCount = 1,
    bool UnifiedMemory = false)
{
    /// <summary>
    /// The annotation for node <paramref name="node"/> carrying this hardware; <paramref name="usableVramMiB"/> is the
    /// GPU memory the node really gives its GPU (the BIOS carve-out of a unified-memory machine).
    /// </summary>
    public NodeGpu For(string node, int? usableVramMiB = null) => new(node, Vendor, Key, usableVramMiB ?? VramMiB, GpuCount, Tier, Family, UnifiedMemory);
}

/// <summary>The hardware a stack file can name in <c>gpuNodes[].hardware</c>; keys are the <c>workload.ai/gpu-model</c> label values.</summary>
public static class HardwareCatalog
{
    public static IReadOnlyDictionary<string, GpuHardware> Entries { get; } = new[]
    {
        // Seed 002: nvidia-smi memory.total 24467 MiB; GFD family blackwell; labelled gpu-tier=support.
        new GpuHardware("rtx-pro-4000-blackwell-sff", GpuVendor.Nvidia, "NVIDIA RTX PRO 4000 Blackwell SFF Edition", 24467, GpuTier.Support, "blackwell"),
        new GpuHardware("rtx-4090", GpuVendor.Nvidia, "NVIDIA GeForce RTX 4090", 24564, GpuTier.Support, "ada-lovelace"),
        new GpuHardware("rtx-3090", GpuVendor.Nvidia, "NVIDIA GeForce RTX 3090", 24576, GpuTier.Support, "ampere"),
        new GpuHardware("h100-80gb", GpuVendor.Nvidia, "NVIDIA H100 80GB HBM3", 81559, GpuTier.Big, "hopper"),
        new GpuHardware("strix-halo-128gb", GpuVendor.Amd, "AMD Ryzen AI Max+ 395 (Strix Halo), 128 GB unified", 131072, GpuTier.Big, "rdna3.5", UnifiedMemory: true),
    }.ToDictionary(h => h.Key, StringComparer.Ordinal);

    public static bool TryGet(string? key, [NotNullWhen(true)] out GpuHardware? hardware)
    {
        hardware = key is null ? null : Entries.GetValueOrDefault(key);
        return hardware is not null;
    }

    public static GpuHardware Get(string key) => TryGet(key, out var hardware)
        ? hardware
        : throw new KeyNotFoundException($"'{key}' is not in the hardware catalog; known hardware: {KnownKeys}");

    public static string KnownKeys => string.Join(", ", Entries.Keys.Order(StringComparer.Ordinal));
}
