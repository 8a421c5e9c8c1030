using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Llmctl.Components.Gpu;
using Llmctl.Stacks.Config;

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
    bool UnifiedMemory = false,
    int? GttMiB = null)
{
    /// <summary>
    /// The annotation for node <paramref name="node"/> carrying this hardware; <paramref name="usableVramMiB"/> is the
    /// GPU memory the node really gives its GPU (the BIOS carve-out of a unified-memory machine).
    /// </summary>
    public NodeGpu For(string node, int? usableVramMiB = null) => new(node, Vendor, Key, usableVramMiB ?? VramMiB, GpuCount, Tier, Family, UnifiedMemory);
}

/// <summary>The hardware a stack file can name in <c>gpuNodes[].hardware</c>; keys are the <c>workload.ai/gpu-model</c> label values.</summary>
public static partial class HardwareCatalog
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

    /// <summary>
    /// The hardware of a <c>gpuNodes</c> entry: the catalog entry it names, with what <c>gpus:</c> declares laid over it,
    /// or <c>gpus:</c> alone. <c>usableVram</c> (the carve-out of a unified-memory machine, or any declared figure) is
    /// taken as given. Null with the problem and the key path (relative to the entry) when the entry does not describe
    /// a GPU.
    /// </summary>
    public static GpuHardware? Resolve(GpuNodeConfig node, out string? problem, out string? problemKey)
    {
        ArgumentNullException.ThrowIfNull(node);
        problem = null;
        problemKey = null;
        GpuHardware? baseline = null;
        if (node.Hardware is { } key && !TryGet(key, out baseline) && node.Gpus is null)
        {
            (problem, problemKey) = ($"'{key}' is not in the hardware catalog; use one of {KnownKeys}, or declare the GPUs under 'gpus:' (vendor, model, count, memory)", "hardware");
            return null;
        }
        if (baseline is null && node.Gpus is null)
        {
            (problem, problemKey) = ("the node names no GPU hardware; give 'hardware:' (a catalog key) or 'gpus:' (vendor, model, count, memory)", "hardware");
            return null;
        }
        var spec = node.Gpus ?? new GpuSpecConfig();
        GpuVendor? vendor = spec.Vendor switch
        {
            null => baseline?.Vendor,
            var v when v.Equals("nvidia", StringComparison.OrdinalIgnoreCase) => GpuVendor.Nvidia,
            var v when v.Equals("amd", StringComparison.OrdinalIgnoreCase) => GpuVendor.Amd,
            _ => null,
        };
        if (vendor is null)
        {
            (problem, problemKey) = (spec.Vendor is null ? "gpus.vendor is missing" : $"'{spec.Vendor}' is not a GPU vendor llmctl supports; use nvidia or amd", "gpus.vendor");
            return null;
        }
        var model = spec.Model ?? baseline?.DisplayName;
        if (model is null)
        {
            (problem, problemKey) = ("gpus.model is missing; name the product (e.g. NVIDIA RTX A6000)", "gpus.model");
            return null;
        }
        long? memoryMiB = spec.Memory is { } memory ? (long)(memory.Value / (1024 * 1024)) : baseline?.VramMiB;
        if (memoryMiB is null or <= 0 or > int.MaxValue)
        {
            (problem, problemKey) = (memoryMiB is null ? "gpus.memory is missing; give the memory per GPU (e.g. 48Gi)" : $"gpus.memory {spec.Memory?.Text} is not a GPU memory size", "gpus.memory");
            return null;
        }
        var count = spec.Count ?? baseline?.GpuCount ?? 1;
        if (count is < 1 or > 64)
        {
            (problem, problemKey) = ($"gpus.count {count} is not a number of GPUs (1 to 64)", "gpus.count");
            return null;
        }
        GpuTier? tier = spec.Tier switch
        {
            null => baseline?.Tier ?? GpuTier.Support,
            var t when t.Equals("support", StringComparison.OrdinalIgnoreCase) => GpuTier.Support,
            var t when t.Equals("big", StringComparison.OrdinalIgnoreCase) => GpuTier.Big,
            _ => null,
        };
        if (tier is null)
        {
            (problem, problemKey) = ($"'{spec.Tier}' is not a GPU tier; use support or big", "gpus.tier");
            return null;
        }
        var labelKey = spec.Key ?? (spec.Model is null ? baseline?.Key : null) ?? Slug(model);
        if (!LabelValue().IsMatch(labelKey))
        {
            (problem, problemKey) = ($"'{labelKey}' is not a valid label value for workload.ai/gpu-model", "gpus.key");
            return null;
        }
        var unified = spec.UnifiedMemory ?? baseline?.UnifiedMemory ?? false;
        decimal? gttMiB = spec.Gtt is { } g ? g.Value / (1024 * 1024) : baseline?.GttMiB;
        if (gttMiB is < 0 or > int.MaxValue)
        {
            (problem, problemKey) = ($"gpus.gtt {spec.Gtt?.Text} is not a memory size a GPU can map", "gpus.gtt");
            return null;
        }
        var gtt = (int?)gttMiB;
        return new GpuHardware(labelKey, vendor.Value, model, (int)memoryMiB.Value, tier.Value, spec.Family ?? baseline?.Family, count, unified, gtt);
    }

    private static string Slug(string model) => SlugChars().Replace(model.ToLowerInvariant(), "-").Trim('-') is { Length: > 0 and <= 63 } slug ? slug : "gpu";

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex SlugChars();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();
}
