using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Llmctl.Components.Helm;

// Typed wire objects for k3s's helm-controller (helm.cattle.io/v1), after k3s-io/helm-controller
// pkg/apis/helm.cattle.io/v1/types.go. Only fields llmctl sets are modelled; the CRD schemas in
// ../shared/upstream/crds/helm-controller are what the tests validate against.

/// <summary>A Helm release that k3s's helm-controller installs with a <c>helm-install-&lt;name&gt;</c> Job.</summary>
[KubernetesEntity(Group = "helm.cattle.io", Kind = "HelmChart", ApiVersion = "v1", PluralName = "helmcharts")]
public sealed class V1HelmChart : IKubernetesObject<V1ObjectMeta>, ISpec<V1HelmChartSpec>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = "helm.cattle.io/v1";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "HelmChart";
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public V1HelmChartSpec Spec { get; set; } = new();
}

public sealed class V1HelmChartSpec
{
    [JsonPropertyName("chart")] public string? Chart { get; set; }
    [JsonPropertyName("repo")] public string? Repo { get; set; }
    [JsonPropertyName("version")] public string? Version { get; set; }
    [JsonPropertyName("targetNamespace")] public string? TargetNamespace { get; set; }
    [JsonPropertyName("createNamespace")] public bool? CreateNamespace { get; set; }
    /// <summary>Inline values YAML (Helm's <c>--values</c>).</summary>
    [JsonPropertyName("valuesContent")] public string? ValuesContent { get; set; }
    [JsonPropertyName("valuesSecrets")] public IList<V1HelmValuesSecret>? ValuesSecrets { get; set; }
    /// <summary>Helm's <c>--timeout</c> as a duration (<c>300s</c>, <c>10m</c>).</summary>
    [JsonPropertyName("timeout")] public string? Timeout { get; set; }
    /// <summary><c>abort</c>, <c>reinstall</c> (the controller's default) or <c>retry</c>.</summary>
    [JsonPropertyName("failurePolicy")] public string? FailurePolicy { get; set; }
    /// <summary>A basic-auth Secret for the chart repository, in the HelmChart's namespace.</summary>
    [JsonPropertyName("authSecret")] public V1LocalObjectReference? AuthSecret { get; set; }
    [JsonPropertyName("backOffLimit")] public int? BackOffLimit { get; set; }
}

/// <summary>Values read from keys of a Secret beside the HelmChart, so secret values never sit in the HelmChart.</summary>
public sealed class V1HelmValuesSecret
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("keys")] public IList<string> Keys { get; set; } = [];
    [JsonPropertyName("ignoreUpdates")] public bool? IgnoreUpdates { get; set; }
}

/// <summary>Overrides for a chart k3s packages itself (Traefik, …): same name and namespace as its HelmChart.</summary>
[KubernetesEntity(Group = "helm.cattle.io", Kind = "HelmChartConfig", ApiVersion = "v1", PluralName = "helmchartconfigs")]
public sealed class V1HelmChartConfig : IKubernetesObject<V1ObjectMeta>, ISpec<V1HelmChartConfigSpec>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = "helm.cattle.io/v1";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "HelmChartConfig";
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public V1HelmChartConfigSpec Spec { get; set; } = new();
}

public sealed class V1HelmChartConfigSpec
{
    [JsonPropertyName("valuesContent")] public string? ValuesContent { get; set; }
    [JsonPropertyName("valuesSecrets")] public IList<V1HelmValuesSecret>? ValuesSecrets { get; set; }
    [JsonPropertyName("failurePolicy")] public string? FailurePolicy { get; set; }
}
