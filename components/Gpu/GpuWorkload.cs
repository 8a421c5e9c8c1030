using Llmctl.Engine.Model;

namespace Llmctl.Components.Gpu;

/// <summary>The resource runs pods that each need <paramref name="Count"/> whole GPUs of <paramref name="Vendor"/>.</summary>
public sealed record GpuWorkload(GpuVendor Vendor, int Count) : IResourceAnnotation
{
    public string ResourceName => Vendor.ResourceName();
}
