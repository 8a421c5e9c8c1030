using Llmctl.Components.Images;

namespace Llmctl.Components.Gpu;

public sealed record NodeFeatureDiscoveryArgs
{
    public string Namespace { get; init; } = NodeFeatureDiscoveryChart.Namespace;
    /// <summary>An exact chart version of <see cref="NodeFeatureDiscoveryChart.Repo"/>.</summary>
    public string ChartVersion { get; init; } = NodeFeatureDiscoveryChart.Version;
    /// <summary>The NFD image, pinned (<c>registry.k8s.io/nfd/node-feature-discovery:v0.19.0@sha256:…</c>); null keeps the chart's tag.</summary>
    public ImageRef? Image { get; init; }
    /// <summary>
    /// Label namespaces nfd-master publishes besides its own (<c>master.extraLabelNs</c>). GPU Feature Discovery
    /// publishes its <c>nvidia.com/gpu.*</c> labels through NFD, so <c>nvidia.com</c> is needed whenever GFD runs.
    /// </summary>
    public IReadOnlyList<string> ExtraLabelNamespaces { get; init; } = ["nvidia.com"];
    /// <summary>
    /// PCI classes that get a <c>pci-&lt;class&gt;_&lt;vendor&gt;.present</c> label: VGA (<c>0300</c>), 3D controller
    /// (<c>0302</c>) and other display controller (<c>0380</c>, which some AMD APUs report). A main class (<c>03</c>)
    /// is allowed too.
    /// </summary>
    public IReadOnlyList<string> PciDeviceClasses { get; init; } = [PciClass.Vga, PciClass.ThreeD, PciClass.Display];
    /// <summary>
    /// Which PCI fields make up the label name. NFD's default <c>class</c>, <c>vendor</c> gives
    /// <c>pci-0300_10de.present</c>, the label the amd-gpu chart's own node selector requires (<c>pci-0300_1002</c>);
    /// <see cref="NvidiaDevicePlugin"/> matches either form.
    /// </summary>
    public IReadOnlyList<string> PciLabelFields { get; init; } = ["class", "vendor"];
    /// <summary>Let nfd-worker run on GPU nodes: tolerate the dedicated-GPU taint and the vendors' GPU taints.</summary>
    public bool TolerateGpuTaints { get; init; } = true;
}
