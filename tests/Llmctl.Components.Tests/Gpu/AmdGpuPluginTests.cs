using System.Text.Json.Nodes;
using Llmctl.Components.Gpu;
using Llmctl.Components.Images;
using Llmctl.Engine.Model;
using Llmctl.Testing;

namespace Llmctl.Components.Tests.Gpu;

public sealed class AmdGpuPluginTests
{
    private const string Digest = "sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";

    // node_selector has default keys upstream but is a label map: any label key is allowed in it. A toleration is a
    // Kubernetes Toleration, and upstream's only one uses just key and operator.
    private static readonly string[] FreeForm = ["node_selector", "tolerations[]"];

    private static AmdGpuPlugin Build(AmdGpuPluginArgs? args = null)
    {
        AmdGpuPlugin? plugin = null;
        StackContext.Run("llm-platform", "fleet", _ => plugin = new AmdGpuPlugin("amd-gpu", args));
        return plugin!;
    }

    [Fact]
    public void The_default_values_enable_the_labeller_and_select_AMD_GPU_nodes_that_may_be_tainted()
    {
        var expected = YamlJson.Parse("""
            nfd:
              enabled: false
            labeller:
              enabled: true
            node_selector_enabled: true
            node_selector:
              workload.ai/gpu: "true"
              workload.ai/gpu-vendor: amd
            tolerations:
            - key: CriticalAddonsOnly
              operator: Exists
            - key: amd.com/gpu
              operator: Exists
              effect: NoSchedule
            - key: workload.ai/dedicated
              operator: Equal
              value: gpu
              effect: NoSchedule
            """);

        var plugin = Build();

        YamlJson.AssertSameFields(expected, plugin.Values);
        YamlJson.AssertSameFields(expected, YamlJson.Parse(plugin.Release.Chart.Object.Spec.ValuesContent!));
    }

    [Fact]
    public void Every_values_key_exists_in_the_charts_upstream_values_yaml()
    {
        var values = Build(new()
        {
            Image = ImageRef.Parse($"docker.io/rocm/k8s-device-plugin:1.31.0.9@{Digest}"),
            LabellerImage = ImageRef.Parse($"docker.io/rocm/k8s-device-plugin:labeller-1.31.0.9@{Digest}"),
        }).Values;

        ChartValues.AssertKeysExist("amd-gpu", values, FreeForm);
    }

    [Fact]
    public void Pinned_images_go_in_the_charts_tags_with_their_digests()
    {
        var values = Build(new()
        {
            Image = ImageRef.Parse($"docker.io/rocm/k8s-device-plugin:1.31.0.9@{Digest}"),
            LabellerImage = ImageRef.Parse($"docker.io/rocm/k8s-device-plugin:labeller-1.31.0.9@{Digest}"),
        }).Values;

        Assert.Equal($"1.31.0.9@{Digest}", values["dp"]!["image"]!["tag"]!.GetValue<string>());
        Assert.Equal($"labeller-1.31.0.9@{Digest}", values["lbl"]!["image"]!["tag"]!.GetValue<string>());
        Assert.Null(values["dp"]!["image"]!["repository"]);
    }

    [Fact]
    public void The_HelmChart_is_pinned_and_validates_against_the_helm_controller_CRD()
    {
        var plugin = Build();

        Assert.Equal(("amd-gpu", "https://rocm.github.io/k8s-device-plugin/", "0.21.0", "kube-system", false),
            (plugin.Release.Chart.Object.Spec.Chart, plugin.Release.Chart.Object.Spec.Repo, plugin.Release.Chart.Object.Spec.Version,
             plugin.Release.Chart.Object.Spec.TargetNamespace, plugin.Release.Chart.Object.Spec.CreateNamespace));
        var chartYaml = File.ReadAllText(SharedFiles.RequirePath("upstream", "charts", "amd-gpu", "Chart.yaml"));
        Assert.Contains($"version: {AmdGpuChart.Version}", chartYaml);
        CrdSchema.AssertValid("helm-controller", "helm.cattle.io_helmcharts.yaml", plugin.Release.Chart.Inputs);
    }

    [Fact]
    public void The_release_is_annotated_as_the_AMD_device_plugin()
    {
        var plugin = Build();

        Assert.Equal(new DevicePluginRelease(GpuVendor.Amd, "amd-gpu", "0.21.0", null), plugin.Release.Chart.Annotations.Find<DevicePluginRelease>());
        Assert.Equal("amd.com/gpu", plugin.Annotations.Find<DevicePluginRelease>()!.ResourceName);
    }

    [Fact]
    public void A_labeller_image_without_a_digest_is_written_by_tag_and_left_to_the_pinned_digests_policy()
    {
        var plugin = Build(new() { LabellerImage = ImageRef.Parse("docker.io/rocm/k8s-device-plugin:labeller-1.31.0.9") });

        Assert.Contains(plugin.Release.Chart.Annotations.OfType<ContainerImage>(), c => !c.Image.IsPinned);
    }

    [Fact]
    public void An_empty_node_selector_is_refused()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new() { NodeSelector = new Dictionary<string, string>() }));

        Assert.Contains("must select AMD GPU nodes", Assert.Single(ex.Problems).Message);
    }

    [Fact]
    public void An_invalid_namespace_is_refused()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new() { Namespace = "Kube_System" }));

        Assert.Equal("namespace", Assert.Single(ex.Problems).Argument);
        Assert.Contains("DNS-1123", ex.Message);
    }
}
