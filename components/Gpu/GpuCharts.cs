using Llmctl.Components.Helm;

namespace Llmctl.Components.Gpu;

// Every chart and image the GPU components pin, in one place. Versions are the ones whose values.yaml the tests
// check against (../shared/upstream/SOURCES.md); bump a chart here together with that copy.

/// <summary>NVIDIA's <c>nvidia-device-plugin</c> chart (device plugin + GPU Feature Discovery).</summary>
public static class NvidiaDevicePluginChart
{
    public const string Name = "nvidia-device-plugin";
    public const string Repo = "https://nvidia.github.io/k8s-device-plugin";
    public const string Version = "0.20.0";
    /// <summary>The pinned chart (its digest is in charts.lock.yaml).</summary>
    public static readonly ChartRef Ref = new(Name, Repo, Version);
    /// <summary>The chart's default image; its tag defaults to <c>v</c> + appVersion (<c>v0.20.0</c>).</summary>
    public const string ImageRepository = "nvcr.io/nvidia/k8s-device-plugin";
    /// <summary>The namespace the chart's README installs into.</summary>
    public const string Namespace = "nvidia-device-plugin";
}

/// <summary>ROCm's <c>amd-gpu</c> chart (device plugin + node labeller).</summary>
public static class AmdGpuChart
{
    public const string Name = "amd-gpu";
    public const string Repo = "https://rocm.github.io/k8s-device-plugin/";
    public const string Version = "0.21.0";
    /// <summary>The pinned chart (its digest is in charts.lock.yaml).</summary>
    public static readonly ChartRef Ref = new(Name, Repo, Version);
    /// <summary>Both DaemonSets run this repository: the device plugin as <c>1.31.0.9</c>, the labeller as <c>labeller-1.31.0.9</c>.</summary>
    public const string ImageRepository = "docker.io/rocm/k8s-device-plugin";
    /// <summary>Where seed 000 installs it.</summary>
    public const string Namespace = "kube-system";
}

/// <summary>
/// The <c>node-feature-discovery</c> chart from its classic Helm repository (k3s's helm-controller adds a repository
/// by URL; the OCI copy at <c>registry.k8s.io/nfd/charts</c> carries the same versions). 0.19.0 is the version the
/// NVIDIA chart 0.20.0 depends on as its <c>nfd</c> sub-chart.
/// </summary>
public static class NodeFeatureDiscoveryChart
{
    public const string Name = "node-feature-discovery";
    public const string Repo = "https://kubernetes-sigs.github.io/node-feature-discovery/charts";
    public const string Version = "0.19.0";
    /// <summary>The pinned chart (its digest is in charts.lock.yaml).</summary>
    public static readonly ChartRef Ref = new(Name, Repo, Version);
    public const string ImageRepository = "registry.k8s.io/nfd/node-feature-discovery";
    public const string Namespace = "node-feature-discovery";
}

/// <summary>PCI vendor ids as NFD writes them in <c>feature.node.kubernetes.io/pci-&lt;class&gt;_&lt;vendor&gt;.present</c>.</summary>
public static class PciVendor
{
    public const string Nvidia = "10de";
    public const string Amd = "1002";
}

/// <summary>PCI device classes of GPUs: VGA-compatible (<c>0300</c>), 3D controller (<c>0302</c>, data-centre cards), other display controller (<c>0380</c>, some AMD APUs).</summary>
public static class PciClass
{
    public const string Vga = "0300";
    public const string ThreeD = "0302";
    public const string Display = "0380";
}
