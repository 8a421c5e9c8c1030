namespace Llmctl.Components.Gpu;

public enum GpuVendor
{
    Nvidia,
    Amd,
}

/// <summary>How a node's GPU is meant to be used; the <c>workload.ai/gpu-tier</c> label.</summary>
public enum GpuTier
{
    /// <summary>A 24 GB-class card: one active model lane, support work around it.</summary>
    Support,
    /// <summary>A card or unified-memory machine for the largest models (the "brain").</summary>
    Big,
}

public static class GpuVendorExtensions
{
    /// <summary>The extended resource the vendor's device plugin advertises (<c>nvidia.com/gpu</c>, <c>amd.com/gpu</c>).</summary>
    public static string ResourceName(this GpuVendor vendor) => vendor switch
    {
        GpuVendor.Nvidia => "nvidia.com/gpu",
        GpuVendor.Amd => "amd.com/gpu",
        _ => throw new ArgumentOutOfRangeException(nameof(vendor), vendor, null),
    };

    /// <summary>The lowercase label value (<c>nvidia</c>, <c>amd</c>).</summary>
    public static string LabelValue(this GpuVendor vendor) => vendor.ToString().ToLowerInvariant();

    public static string LabelValue(this GpuTier tier) => tier.ToString().ToLowerInvariant();
}
