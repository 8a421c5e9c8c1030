using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Llmctl.Components.Observability;

// Typed wire objects for the Prometheus Operator (monitoring.coreos.com/v1), after prometheus-operator
// pkg/apis/monitoring/v1/{servicemonitor,prometheusrule}_types.go. Only fields llmctl sets are modelled; the CRD schemas
// in ../shared/upstream/crds/prometheus-operator (operator 0.93) are what the tests validate against.

/// <summary>Tells Prometheus to scrape the endpoints behind the Services its selector matches.</summary>
[KubernetesEntity(Group = "monitoring.coreos.com", Kind = "ServiceMonitor", ApiVersion = "v1", PluralName = "servicemonitors")]
public sealed class V1ServiceMonitor : IKubernetesObject<V1ObjectMeta>, ISpec<V1ServiceMonitorSpec>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = "monitoring.coreos.com/v1";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "ServiceMonitor";
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public V1ServiceMonitorSpec Spec { get; set; } = new();
}

public sealed class V1ServiceMonitorSpec
{
    /// <summary>Which Services (by label) in the selected namespaces are scraped.</summary>
    [JsonPropertyName("selector")] public V1LabelSelector Selector { get; set; } = new();
    [JsonPropertyName("namespaceSelector")] public V1NamespaceSelector? NamespaceSelector { get; set; }
    [JsonPropertyName("endpoints")] public IList<V1ServiceMonitorEndpoint> Endpoints { get; set; } = [];
    /// <summary>The Service label whose value becomes the <c>job</c> label.</summary>
    [JsonPropertyName("jobLabel")] public string? JobLabel { get; set; }
}

public sealed class V1NamespaceSelector
{
    [JsonPropertyName("any")] public bool? Any { get; set; }
    [JsonPropertyName("matchNames")] public IList<string>? MatchNames { get; set; }
}

public sealed class V1ServiceMonitorEndpoint
{
    /// <summary>The Service port's <em>name</em>.</summary>
    [JsonPropertyName("port")] public string? Port { get; set; }
    [JsonPropertyName("path")] public string? Path { get; set; }
    /// <summary><c>http</c> or <c>https</c>.</summary>
    [JsonPropertyName("scheme")] public string? Scheme { get; set; }
    /// <summary>URL query parameters: llama.cpp's router mode needs <c>?model=&lt;id&gt;</c> on <c>/metrics</c>.</summary>
    [JsonPropertyName("params")] public IDictionary<string, IList<string>>? Params { get; set; }
    /// <summary>A Prometheus duration: <c>30s</c>.</summary>
    [JsonPropertyName("interval")] public string? Interval { get; set; }
    [JsonPropertyName("scrapeTimeout")] public string? ScrapeTimeout { get; set; }
    [JsonPropertyName("honorLabels")] public bool? HonorLabels { get; set; }
    [JsonPropertyName("authorization")] public V1SafeAuthorization? Authorization { get; set; }
    [JsonPropertyName("relabelings")] public IList<V1RelabelConfig>? Relabelings { get; set; }
}

/// <summary>An <c>Authorization</c> header read from a Secret key in the ServiceMonitor's namespace.</summary>
public sealed class V1SafeAuthorization
{
    /// <summary>Defaults to <c>Bearer</c>.</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("credentials")] public V1SecretKeySelector? Credentials { get; set; }
}

public sealed class V1RelabelConfig
{
    [JsonPropertyName("sourceLabels")] public IList<string>? SourceLabels { get; set; }
    [JsonPropertyName("regex")] public string? Regex { get; set; }
    [JsonPropertyName("targetLabel")] public string? TargetLabel { get; set; }
    [JsonPropertyName("replacement")] public string? Replacement { get; set; }
    [JsonPropertyName("action")] public string? Action { get; set; }
}

/// <summary>Alerting and recording rules that the Prometheus whose rule selector matches this object loads.</summary>
[KubernetesEntity(Group = "monitoring.coreos.com", Kind = "PrometheusRule", ApiVersion = "v1", PluralName = "prometheusrules")]
public sealed class V1PrometheusRule : IKubernetesObject<V1ObjectMeta>, ISpec<V1PrometheusRuleSpec>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = "monitoring.coreos.com/v1";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "PrometheusRule";
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public V1PrometheusRuleSpec Spec { get; set; } = new();
}

public sealed class V1PrometheusRuleSpec
{
    [JsonPropertyName("groups")] public IList<V1RuleGroup> Groups { get; set; } = [];
}

/// <summary>A rule group, as in a Prometheus rule file.</summary>
public sealed class V1RuleGroup
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("interval")] public string? Interval { get; set; }
    [JsonPropertyName("rules")] public IList<V1Rule> Rules { get; set; } = [];
}

/// <summary>One alerting rule (<see cref="Alert"/>) or recording rule (<see cref="Record"/>).</summary>
public sealed class V1Rule
{
    [JsonPropertyName("alert")] public string? Alert { get; set; }
    [JsonPropertyName("record")] public string? Record { get; set; }
    /// <summary>PromQL.</summary>
    [JsonPropertyName("expr")] public string Expr { get; set; } = "";
    /// <summary>How long the expression must hold before the alert fires: <c>10m</c>.</summary>
    [JsonPropertyName("for")] public string? For { get; set; }
    [JsonPropertyName("labels")] public IDictionary<string, string>? Labels { get; set; }
    [JsonPropertyName("annotations")] public IDictionary<string, string>? Annotations { get; set; }
}
