using System.Text.Json.Nodes;
using Llmctl.Components.Gpu;
using Llmctl.Components.Images;
using Llmctl.Engine.Model;
using Llmctl.Testing;

namespace Llmctl.Components.Tests.Gpu;

public sealed class NodeFeatureDiscoveryTests
{
    private static NodeFeatureDiscovery Build(NodeFeatureDiscoveryArgs? args = null)
    {
        NodeFeatureDiscovery? nfd = null;
        StackContext.Run("llm-platform", "homelab", _ => nfd = new NodeFeatureDiscovery("node-feature-discovery", args));
        return nfd!;
    }

    [Fact]
    public void The_values_publish_nvidia_labels_and_label_GPU_classes_by_class_and_vendor_on_tainted_GPU_nodes()
    {
        var expected = YamlJson.Parse("""
            master:
              extraLabelNs: [nvidia.com]
            worker:
              config:
                sources:
                  pci:
                    deviceClassWhitelist: ["0300", "0302", "0380"]
                    deviceLabelFields: [class, vendor]
              tolerations:
              - key: workload.ai/dedicated
                operator: Equal
                value: gpu
                effect: NoSchedule
              - key: nvidia.com/gpu
                operator: Exists
                effect: NoSchedule
              - key: amd.com/gpu
                operator: Exists
                effect: NoSchedule
            """);

        var nfd = Build();

        YamlJson.AssertSameFields(expected, nfd.Values);
        YamlJson.AssertSameFields(expected, YamlJson.Parse(nfd.Release.Chart.Object.Spec.ValuesContent!));
    }

    [Fact]
    public void Every_values_key_exists_in_the_charts_upstream_values_yaml()
    {
        // worker.config is nfd-worker.conf, empty upstream (only a commented example), so it needs no allow-list entry;
        // the keys under it follow that example (sources.pci.deviceClassWhitelist / deviceLabelFields).
        var values = Build(new() { Image = ImageRef.Parse("registry.k8s.io/nfd/node-feature-discovery:v0.19.0@sha256:" + new string('a', 64)) }).Values;

        ChartValues.AssertKeysExist("node-feature-discovery", values);
        var upstream = File.ReadAllText(SharedFiles.RequirePath("upstream", "charts", "node-feature-discovery", "values.yaml"));
        Assert.Contains("#    deviceClassWhitelist:", upstream);
        Assert.Contains("#    deviceLabelFields:", upstream);
    }

    [Fact]
    public void The_AMD_charts_own_node_selector_label_is_one_NFD_writes_with_these_settings()
    {
        // amd-gpu keeps its default node_selector keys (Helm merges maps), so NFD must label class 0300 AMD cards
        // feature.node.kubernetes.io/pci-0300_1002.present.
        var upstream = File.ReadAllText(SharedFiles.RequirePath("upstream", "charts", "amd-gpu", "values.yaml"));
        Assert.Contains(NodeFeatureDiscovery.PciLabel(PciClass.Vga, PciVendor.Amd) + ": \"true\"", upstream);
        var args = Build().Args;
        Assert.Contains(PciClass.Vga, args.PciDeviceClasses);
        Assert.Equal(["class", "vendor"], args.PciLabelFields);
    }

    [Fact]
    public void The_HelmChart_is_pinned_and_validates_against_the_helm_controller_CRD()
    {
        var nfd = Build();

        var spec = nfd.Release.Chart.Object.Spec;
        Assert.Equal(("node-feature-discovery", "0.19.0", "node-feature-discovery"), (spec.Chart, spec.Version, spec.TargetNamespace));
        CrdSchema.AssertValid("helm-controller", "helm.cattle.io_helmcharts.yaml", nfd.Release.Chart.Inputs);
    }

    [Fact]
    public void The_NFD_version_is_the_one_the_NVIDIA_chart_depends_on()
    {
        var nvdpChart = File.ReadAllText(SharedFiles.RequirePath("upstream", "charts", "nvidia-device-plugin", "Chart.yaml"));
        Assert.Contains($"version: \"{NodeFeatureDiscoveryChart.Version}\"", nvdpChart);
    }

    [Fact]
    public void A_PCI_class_that_is_not_hex_is_refused()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new() { PciDeviceClasses = ["0300", "VGA"] }));

        Assert.Equal("pciDeviceClasses", Assert.Single(ex.Problems).Argument);
        Assert.Contains("'VGA' is not a PCI class", ex.Message);
    }

    [Fact]
    public void No_PCI_classes_is_refused()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new() { PciDeviceClasses = [] }));

        Assert.Contains("must list at least one PCI class", ex.Message);
    }

    [Fact]
    public void Label_fields_without_the_vendor_are_refused()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new() { PciLabelFields = ["class"] }));

        Assert.Contains("must include 'vendor'", Assert.Single(ex.Problems).Message);
    }

    [Fact]
    public void An_unknown_label_field_is_refused()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new() { PciLabelFields = ["vendor", "model"] }));

        Assert.Contains("'model' is not a PCI label field", Assert.Single(ex.Problems).Message);
    }

    [Fact]
    public void An_extra_label_namespace_that_is_not_a_DNS_subdomain_is_refused()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new() { ExtraLabelNamespaces = ["nvidia.com", "NVIDIA/gpu"] }));

        Assert.Contains("'NVIDIA/gpu' is not a label namespace", Assert.Single(ex.Problems).Message);
    }
}
