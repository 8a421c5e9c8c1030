using Llmctl.Engine.Model;

namespace Llmctl.Components.Gpu;

/// <summary>
/// The GPUs of one node: <paramref name="Count"/> cards of <paramref name="Model"/> (a hardware-catalog key), each with
/// <paramref name="VramMiB"/> of memory as <c>nvidia-smi</c> reports it. <paramref name="UnifiedMemory"/> marks
/// machines whose GPU shares system memory (AMD Strix Halo).
/// </summary>
public sealed record NodeGpu(
    string Node,
    GpuVendor Vendor,
    string Model,
    int VramMiB,
    int Count = 1,
    GpuTier Tier = GpuTier.Support,
    string? Family = null,
    bool UnifiedMemory = false) : IResourceAnnotation;
