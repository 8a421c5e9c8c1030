using Llmctl.Components.Gpu;

namespace Llmctl.Stacks.Tests;

public sealed class HardwareCatalogTests
{
    [Theory]
    [InlineData("rtx-pro-4000-blackwell-sff", GpuVendor.Nvidia, 24467, GpuTier.Support, "24gb")]
    [InlineData("rtx-4090", GpuVendor.Nvidia, 24564, GpuTier.Support, "24gb")]
    [InlineData("rtx-3090", GpuVendor.Nvidia, 24576, GpuTier.Support, "24gb")]
    [InlineData("h100-80gb", GpuVendor.Nvidia, 81559, GpuTier.Big, "80gb")]
    [InlineData("strix-halo-128gb", GpuVendor.Amd, 131072, GpuTier.Big, "128gb")]
    public void The_catalog_knows_the_hardware_of_the_seeds(string key, GpuVendor vendor, int vramMiB, GpuTier tier, string vramLabel)
    {
        var hw = HardwareCatalog.Get(key);

        Assert.Equal((vendor, vramMiB, tier), (hw.Vendor, hw.VramMiB, hw.Tier));
        Assert.Equal(vramLabel, GpuLabels.For(hw.For("n")).GetValueOrDefault(GpuLabels.Vram));
    }

    [Fact]
    public void Strix_Halo_is_marked_as_unified_memory()
    {
        Assert.True(HardwareCatalog.Get("strix-halo-128gb").UnifiedMemory);
    }

    [Fact]
    public void An_unknown_key_lists_the_known_ones()
    {
        var ex = Assert.Throws<KeyNotFoundException>(() => HardwareCatalog.Get("gtx-1080"));

        Assert.Contains("rtx-4090", ex.Message);
    }
}
