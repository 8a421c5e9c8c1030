using Llmctl.Engine.Model;

namespace Llmctl.Components.Gpu;

/// <summary>
/// The resource installs <paramref name="Vendor"/>'s GPU device plugin from chart <paramref name="Chart"/> at
/// <paramref name="ChartVersion"/>, running <paramref name="Image"/> (null: the chart's default for that version).
/// Maintenance-order policies read this: a device-plugin change and a model-runtime change never ship in one run.
/// </summary>
public sealed record DevicePluginRelease(GpuVendor Vendor, string Chart, string ChartVersion, string? Image) : IResourceAnnotation
{
    /// <summary>The extended resource the plugin advertises (<c>nvidia.com/gpu</c>, <c>amd.com/gpu</c>).</summary>
    public string ResourceName => Vendor.ResourceName();
}
