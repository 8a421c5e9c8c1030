using System.Text.Json.Nodes;
using Llmctl.Components.Gateway;
using Llmctl.Components.Gpu;
using Llmctl.Components.Helm;
using Llmctl.Testing;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Providers.Helm.Tests;

/// <summary>
/// The chart defects, each checked by rendering the real upstream chart (../shared/upstream/charts-src) with the real
/// helm and the values llmctl writes — not by reading llmctl's own values back.
/// </summary>
public sealed class ChartDefectTests
{
    private static async Task<IReadOnlyList<JsonObject>> RenderAsync(string chartDir, string release, string ns, JsonObject values)
    {
        var helm = HelmBinary.Find(name => name == "LLMCTL_HELM" ? RealHelm.Require() : null)!;
        return await HelmTemplate.RenderAsync(helm, new HelmTemplateRequest
        {
            ReleaseName = release,
            Namespace = ns,
            ChartPath = RealHelm.ChartSource(chartDir),
            ValuesFiles = [HelmRelease.ValuesYaml(values)],
        }, TestContext.Current.CancellationToken);
    }

    private static IEnumerable<JsonObject> OfKind(IEnumerable<JsonObject> objects, string kind) =>
        objects.Where(o => o["kind"]?.GetValue<string>() == kind);

    [Fact]
    public async Task The_ROCm_plugin_DaemonSets_select_llmctl_labels_without_the_chart_default_NFD_label()
    {
        var objects = await RenderAsync("amd-gpu", "amd-gpu", AmdGpuChart.Namespace, AmdGpuPlugin.BuildValues(new AmdGpuPluginArgs()));

        var daemonSets = OfKind(objects, "DaemonSet").ToList();
        Assert.Equal(2, daemonSets.Count); // device plugin and node labeller
        foreach (var ds in daemonSets)
        {
            var selector = ds["spec"]!["template"]!["spec"]!["nodeSelector"]!.AsObject();
            // Helm merges maps: without the nulled key the chart's NFD label stays, and no node without NFD matches.
            Assert.False(selector.ContainsKey(NodeFeatureDiscovery.PciLabel(PciClass.Vga, PciVendor.Amd)), $"{ds["metadata"]!["name"]}: {selector.ToJsonString()}");
            Assert.Equal("amd", selector[GpuLabels.Vendor]!.GetValue<string>());
            Assert.Equal("true", selector[GpuLabels.Gpu]!.GetValue<string>());
            Assert.Equal("amd64", selector["kubernetes.io/arch"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task NFD_worker_config_keeps_PCI_class_0380_a_string()
    {
        var objects = await RenderAsync("node-feature-discovery-0.19.0", "node-feature-discovery", NodeFeatureDiscoveryChart.Namespace,
            NodeFeatureDiscovery.BuildValues(new NodeFeatureDiscoveryArgs()));

        var conf = OfKind(objects, "ConfigMap").Select(c => c["data"]?["nfd-worker.conf"]?.GetValue<string>()).Single(c => c is not null)!;
        var yaml = new YamlStream();
        yaml.Load(new StringReader(conf));
        var classes = (YamlSequenceNode)yaml.Documents[0].RootNode["sources"]["pci"]["deviceClassWhitelist"];
        // Go's YAML reader turns an unquoted 0380 into the number 380, and NFD would never match class 0380.
        Assert.Equal([PciClass.Vga, PciClass.ThreeD, PciClass.Display], classes.Children.Select(c => ((YamlScalarNode)c).Value));
        Assert.All(classes.Children, c => Assert.NotEqual(YamlDotNet.Core.ScalarStyle.Plain, ((YamlScalarNode)c).Style));
    }

    [Theory]
    [InlineData("0380")]
    [InlineData("012")]
    [InlineData("1e3")]
    [InlineData("0x1F")]
    [InlineData("0o17")]
    [InlineData("1_000")]
    [InlineData(".5")]
    [InlineData("+1")]
    [InlineData("on")]
    [InlineData("yes")]
    [InlineData("n")]
    [InlineData("~")]
    [InlineData("2024-01-02")]
    [InlineData(".inf")]
    public async Task Strings_Go_reads_as_another_type_stay_strings_through_the_real_helm(string value)
    {
        // A chart that prints its values back: what Helm read from llmctl's values file is what reaches the cluster.
        var chart = Directory.CreateTempSubdirectory("llmctl-echo-chart-");
        try
        {
            File.WriteAllText(Path.Combine(chart.FullName, "Chart.yaml"), "apiVersion: v2\nname: echo\nversion: 0.1.0\n");
            Directory.CreateDirectory(Path.Combine(chart.FullName, "templates"));
            File.WriteAllText(Path.Combine(chart.FullName, "templates", "cm.yaml"),
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: echo\ndata:\n  kind: {{ kindOf .Values.v | quote }}\n  text: {{ .Values.v | toString | quote }}\n");
            var helm = HelmBinary.Find(name => name == "LLMCTL_HELM" ? RealHelm.Require() : null)!;
            var objects = await HelmTemplate.RenderAsync(helm, new HelmTemplateRequest
            {
                ReleaseName = "echo",
                Namespace = "default",
                ChartPath = chart.FullName,
                ValuesFiles = [HelmRelease.ValuesYaml(new JsonObject { ["v"] = value })],
            }, TestContext.Current.CancellationToken);

            var data = objects.Single()["data"]!;
            Assert.Equal("string", data["kind"]!.GetValue<string>());
            Assert.Equal(value, data["text"]!.GetValue<string>());
        }
        finally
        {
            chart.Delete(recursive: true);
        }
    }

    [Fact]
    public void LiteLLM_Service_is_named_by_the_chart_nameOverride_not_the_chart_name()
    {
        // The LiteLLM chart's templates could not be collected (SOURCES.md, note H4), so it cannot be rendered here;
        // this reads the name its standard fullname helper uses from the chart's own values.yaml instead.
        var yaml = new YamlStream();
        yaml.Load(File.OpenText(SharedFiles.RequirePath("upstream", "charts", "litellm-helm", "values.yaml")));
        var nameOverride = ((YamlScalarNode)yaml.Documents[0].RootNode["nameOverride"]).Value;
        Assert.Equal(LiteLlmGateway.NameOverride, nameOverride);

        Assert.Equal("litellm", LiteLlmGateway.ServiceNameFor("litellm"));
        Assert.Equal("gateway-litellm", LiteLlmGateway.ServiceNameFor("gateway"));
    }
}
