using System.Text.Json.Nodes;
using Llmctl.Components.Gpu;
using Llmctl.Components.Helm;
using Llmctl.Components.Images;
using Llmctl.Engine.Model;
using Llmctl.Testing;

namespace Llmctl.Components.Tests.Gpu;

public sealed class NvidiaDevicePluginTests
{
    private const string Digest = "sha256:5f1c1b6a5e3d0b4a2c9e8f7d6b5a4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b";

    // Seed 002's "sanitized overlay", with a digest in place of <pinned-digest>.
    private const string Seed002Overlay = $"""
        runtimeClassName: nvidia
        image:
          tag: "v0.19.2@{Digest}"
        devicePlugin:
          enabled: true
        gfd:
          enabled: true
        nfd:
          enabled: true
        migStrategy: none
        failOnInitError: true
        deviceListStrategy: envvar
        deviceIDStrategy: uuid
        nodeSelector:
          workload.ai/gpu: "true"
        tolerations:
        - key: CriticalAddonsOnly
          operator: Exists
        - key: nvidia.com/gpu
          operator: Exists
          effect: NoSchedule
        - key: workload.ai/dedicated
          operator: Equal
          value: gpu
          effect: NoSchedule
        """;

    // nfd.enabled is the dependency's condition in Chart.yaml (`nfd.enabled,gfd.enabled`), not a key of values.yaml;
    // a toleration is a Kubernetes Toleration, and upstream's first one only uses key and operator.
    // (nodeSelector and config.map are `{}` upstream, free-form without listing them.)
    private static readonly string[] FreeForm = ["nfd.enabled", "tolerations[]"];

    private static NvidiaDevicePlugin Build(NvidiaDevicePluginArgs? args = null)
    {
        NvidiaDevicePlugin? plugin = null;
        StackContext.Run("llm-platform", "homelab", _ => plugin = new NvidiaDevicePlugin("nvidia-device-plugin", args));
        return plugin!;
    }

    private static NvidiaDevicePluginArgs SeedArgs => new()
    {
        Image = ImageRef.Parse($"nvcr.io/nvidia/k8s-device-plugin:v0.19.2@{Digest}"),
        NfdSubchart = true,
    };

    [Fact]
    public void The_values_equal_seed_002s_overlay_field_by_field()
    {
        var plugin = Build(SeedArgs);

        YamlJson.AssertSameFields(YamlJson.Parse(Seed002Overlay), plugin.Values);
    }

    [Fact]
    public void The_HelmCharts_values_yaml_reads_back_as_seed_002s_overlay()
    {
        var plugin = Build(SeedArgs);

        YamlJson.AssertSameFields(YamlJson.Parse(Seed002Overlay), YamlJson.Parse(plugin.Release.Chart.Object.Spec.ValuesContent!));
    }

    [Fact]
    public void The_chart_is_pinned_to_the_version_whose_values_the_tests_read()
    {
        var spec = Build().Release.Chart.Object.Spec;

        Assert.Equal(("nvidia-device-plugin", "https://nvidia.github.io/k8s-device-plugin", "0.20.0", "nvidia-device-plugin"),
            (spec.Chart, spec.Repo, spec.Version, spec.TargetNamespace));
        var chartYaml = File.ReadAllText(SharedFiles.RequirePath("upstream", "charts", "nvidia-device-plugin", "Chart.yaml"));
        Assert.Contains($"version: \"{NvidiaDevicePluginChart.Version}\"", chartYaml);
    }

    [Fact]
    public void Every_values_key_exists_in_the_charts_upstream_values_yaml()
    {
        ChartValues.AssertKeysExist("nvidia-device-plugin", Build(SeedArgs).Values, FreeForm);
        ChartValues.AssertKeysExist("nvidia-device-plugin", Build(new() { TimeSlicing = new(4), Image = SeedArgs.Image }).Values, FreeForm);
    }

    [Fact]
    public void The_HelmChart_validates_against_the_helm_controller_CRD()
    {
        CrdSchema.AssertValid("helm-controller", "helm.cattle.io_helmcharts.yaml", Build(new() { TimeSlicing = new(4) }).Release.Chart.Inputs);
    }

    [Fact]
    public void By_default_the_NFD_subchart_is_off_and_the_affinity_matches_NFDs_class_and_vendor_labels()
    {
        var values = Build().Values;

        Assert.False(values["nfd"]!["enabled"]!.GetValue<bool>());
        Assert.True(values["gfd"]!["enabled"]!.GetValue<bool>());
        var keys = values["affinity"]!["nodeAffinity"]!["requiredDuringSchedulingIgnoredDuringExecution"]!["nodeSelectorTerms"]!.AsArray()
            .Select(t => t!["matchExpressions"]![0]!["key"]!.GetValue<string>())
            .ToList();
        Assert.Contains(NodeFeatureDiscovery.PciLabel("0300", "10de"), keys);
        Assert.Contains(NodeFeatureDiscovery.PciLabel("0302", "10de"), keys);
        Assert.Contains("feature.node.kubernetes.io/pci-10de.present", keys);
        Assert.Contains("nvidia.com/gpu.present", keys);
        // The chart's own repository, by the digest verified for its v0.20.0 tag (ChartImages names the sources).
        Assert.Equal($"v0.20.0@{ChartImages.NvidiaDevicePlugin.Digest}", values["image"]!["tag"]!.GetValue<string>());
        Assert.Null(values["image"]!["repository"]);
    }

    [Fact]
    public void Time_slicing_renders_the_charts_config_map_with_the_sharing_section()
    {
        var values = Build(new() { TimeSlicing = new(4) }).Values;

        var config = values["config"]!.AsObject();
        Assert.Equal("time-slicing", config["default"]!.GetValue<string>());
        var file = YamlJson.Parse(config["map"]!["time-slicing"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(YamlJson.Parse("""
            version: v1
            sharing:
              timeSlicing:
                renameByDefault: false
                failRequestsGreaterThanOne: false
                resources:
                - name: nvidia.com/gpu
                  replicas: 4
            """), file), file.ToJsonString());
    }

    [Fact]
    public void Without_time_slicing_there_is_no_config()
    {
        Assert.Null(Build().Values["config"]);
    }

    [Fact]
    public void Renamed_time_slicing_advertises_the_shared_resource_name()
    {
        Assert.Equal("nvidia.com/gpu.shared", Build(new() { TimeSlicing = new(2, RenameByDefault: true) }).ResourceName);
        Assert.Equal("nvidia.com/gpu", Build().ResourceName);
    }

    [Fact]
    public void The_component_and_its_HelmChart_carry_the_device_plugin_release_for_maintenance_policies()
    {
        var plugin = Build(SeedArgs);

        var expected = new DevicePluginRelease(GpuVendor.Nvidia, "nvidia-device-plugin", "0.20.0", $"nvcr.io/nvidia/k8s-device-plugin:v0.19.2@{Digest}");
        Assert.Equal(expected, plugin.Annotations.Find<DevicePluginRelease>());
        Assert.Equal(expected, plugin.Release.Chart.Annotations.Find<DevicePluginRelease>());
        Assert.Equal("urn:pulumi:homelab::llm-platform::llmctl:gpu:NvidiaDevicePlugin$llmctl:helm:HelmRelease$kubernetes:helm.cattle.io/v1:HelmChart::nvidia-device-plugin",
            plugin.Release.Chart.Urn.Value);
    }

    [Fact]
    public void An_image_from_another_registry_sets_the_repository_too()
    {
        var values = Build(new() { Image = ImageRef.Parse($"registry.lan/mirror/k8s-device-plugin:v0.20.0@{Digest}") }).Values;

        Assert.Equal("registry.lan/mirror/k8s-device-plugin", values["image"]!["repository"]!.GetValue<string>());
        Assert.Equal($"v0.20.0@{Digest}", values["image"]!["tag"]!.GetValue<string>());
    }

    [Fact]
    public void An_image_without_a_digest_is_written_by_tag_and_left_to_the_pinned_digests_policy()
    {
        var plugin = Build(new() { Image = ImageRef.Parse("nvcr.io/nvidia/k8s-device-plugin:v0.20.0") });

        Assert.Equal("v0.20.0", plugin.Values["image"]!["tag"]!.GetValue<string>());
    }

    [Fact]
    public void An_image_with_a_digest_but_no_tag_is_refused()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new() { Image = ImageRef.Parse($"nvcr.io/nvidia/k8s-device-plugin@{Digest}") }));

        Assert.Contains("has a digest but no tag", Assert.Single(ex.Problems).Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void Time_slicing_with_fewer_than_two_replicas_is_refused(int replicas)
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new() { TimeSlicing = new(replicas) }));

        Assert.Equal("timeSlicing.replicas", Assert.Single(ex.Problems).Argument);
        Assert.Contains("must be at least 2", ex.Message);
    }

    [Fact]
    public void An_empty_node_selector_is_refused()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new() { NodeSelector = new Dictionary<string, string>() }));

        Assert.Contains("an empty selector runs the plugin on every node", Assert.Single(ex.Problems).Message);
    }

    [Fact]
    public void A_node_selector_value_that_is_not_a_label_value_is_refused()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new() { NodeSelector = new Dictionary<string, string> { ["workload.ai/gpu"] = "yes please" } }));

        Assert.Equal("nodeSelector.workload.ai/gpu", Assert.Single(ex.Problems).Argument);
        Assert.Contains("is not a valid label value", ex.Message);
    }

    [Fact]
    public void An_invalid_runtime_class_or_namespace_is_refused_naming_both()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new() { RuntimeClassName = "NVIDIA", Namespace = "GPU_plugins" }));

        Assert.Equal(["namespace", "runtimeClassName"], ex.Problems.Select(p => p.Argument).Order());
        Assert.Contains("k3s's NVIDIA RuntimeClass is 'nvidia'", ex.Message);
    }

    [Fact]
    public void A_chart_version_range_is_refused()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new() { ChartVersion = "0.20" }));

        Assert.Contains("is not an exact chart version", ex.Message);
    }
}
