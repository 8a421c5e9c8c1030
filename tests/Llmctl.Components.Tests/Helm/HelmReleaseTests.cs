using System.Text.Json.Nodes;
using Llmctl.Components.Helm;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Tests.Helm;

public class HelmReleaseTests
{
    private static HelmReleaseArgs Args(string version = "0.17.1") => new()
    {
        Chart = "nvidia-device-plugin",
        Repo = "https://nvidia.github.io/k8s-device-plugin",
        Version = version,
        TargetNamespace = "nvidia-device-plugin",
        Values = new JsonObject { ["runtimeClassName"] = "nvidia", ["gfd"] = new JsonObject { ["enabled"] = true }, ["failOnInitError"] = true },
    };

    [Fact]
    public void A_release_is_one_HelmChart_in_kube_system_with_sorted_values_yaml()
    {
        HelmRelease? release = null;
        StackContext.Run("p", "s", _ => release = new HelmRelease("nvidia-device-plugin", Args()));
        var chart = release!.Chart;
        Assert.Equal("kubernetes:helm.cattle.io/v1:HelmChart", chart.Type);
        Assert.Equal("kube-system", chart.Object.Metadata.NamespaceProperty);
        Assert.Equal("0.17.1", chart.Object.Spec.Version);
        Assert.Equal("reinstall", chart.Object.Spec.FailurePolicy);
        Assert.Equal("300s", chart.Object.Spec.Timeout);
        Assert.Equal("failOnInitError: true\ngfd:\n  enabled: true\nruntimeClassName: nvidia\n", chart.Object.Spec.ValuesContent);
        Assert.Equal("helm.cattle.io/v1", chart.Inputs["apiVersion"]!.GetValue<string>());
        Assert.Equal("nvidia-device-plugin", chart.Inputs["spec"]!["targetNamespace"]!.GetValue<string>());
        Assert.EndsWith("llmctl:helm:HelmRelease$kubernetes:helm.cattle.io/v1:HelmChart::nvidia-device-plugin", chart.Urn.Value);
    }

    [Theory]
    [InlineData("^0.17")]
    [InlineData("latest")]
    [InlineData("0.17")]
    public void A_version_range_is_refused_with_a_message_saying_to_pin(string version)
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => StackContext.Run("p", "s", _ => new HelmRelease("x", Args(version))));
        Assert.Contains("is not an exact chart version; pin one such as '0.17.1'", ex.Message);
    }
}

public class HelmChartSchemaTests
{
    [Fact]
    public void The_HelmChart_validates_against_the_helm_controller_CRD()
    {
        HelmRelease? release = null;
        StackContext.Run("p", "s", _ => release = new HelmRelease("nvidia-device-plugin", new HelmReleaseArgs
        {
            Chart = "nvidia-device-plugin",
            Repo = "https://nvidia.github.io/k8s-device-plugin",
            Version = "0.17.1",
            TargetNamespace = "nvidia-device-plugin",
            AuthSecret = "repo-auth",
            Values = new JsonObject { ["failOnInitError"] = true },
        }));
        Llmctl.Testing.CrdSchema.AssertValid("helm-controller", "helm.cattle.io_helmcharts.yaml", release!.Chart.Inputs);
    }

    [Fact]
    public void The_schema_check_catches_an_unknown_field_and_a_wrong_type()
    {
        var bad = new JsonObject
        {
            ["apiVersion"] = "helm.cattle.io/v1",
            ["kind"] = "HelmChart",
            ["spec"] = new JsonObject { ["chart"] = "x", ["createNamespace"] = "yes", ["chartVersion"] = "1.0.0" },
        };
        var problems = Llmctl.Testing.CrdSchema.Validate("helm-controller", "helm.cattle.io_helmcharts.yaml", bad);
        Assert.Contains("spec.createNamespace: expected a boolean", problems);
        Assert.Contains("spec.chartVersion: unknown field", problems);
    }

    [Fact]
    public void The_values_check_finds_keys_the_chart_does_not_have()
    {
        var values = new JsonObject
        {
            ["runtimeClassName"] = "nvidia",
            ["gfd"] = new JsonObject { ["enabled"] = true },
            ["failOnInitError"] = true,
            ["nodeSelector"] = new JsonObject { ["workload.ai/gpu"] = "true" },
            ["notAKey"] = 1,
        };
        var unknown = Llmctl.Testing.ChartValues.UnknownKeys("nvidia-device-plugin", values);
        Assert.Equal(["notAKey"], unknown);
    }
}

public class OciChartTests
{
    [Fact]
    public void An_oci_repository_becomes_one_chart_reference_without_repo()
    {
        HelmRelease? release = null;
        StackContext.Run("p", "s", _ => release = new HelmRelease("litellm", new HelmReleaseArgs
        {
            Chart = "litellm-helm",
            Repo = "oci://ghcr.io/berriai",
            Version = "1.1.0",
            TargetNamespace = "litellm",
        }));
        Assert.Equal("oci://ghcr.io/berriai/litellm-helm", release!.Chart.Object.Spec.Chart);
        Assert.Null(release.Chart.Object.Spec.Repo);
    }
}
