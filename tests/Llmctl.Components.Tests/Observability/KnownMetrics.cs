using System.Text.RegularExpressions;
using Llmctl.Components.Observability;

namespace Llmctl.Components.Tests.Observability;

/// <summary>Metric names each exporter emits, as Prometheus sees them, sourced from ../shared/reference/stack_components.md.</summary>
internal static partial class KnownMetrics
{
    /// <summary>dcgm-exporter names each metric after its CSV field: exactly the fields llmctl's counters file lists (§5).</summary>
    public static IReadOnlySet<string> Dcgm { get; } = DcgmCounters.Defaults.Concat(DcgmCounters.Platform)
        .Where(c => c.Type != DcgmMetricType.Label).Select(c => c.Field).ToHashSet(StringComparer.Ordinal);

    /// <summary>llama-server <c>/metrics</c> with <c>--metrics</c> (§8).</summary>
    public static IReadOnlySet<string> LlamaCpp { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "llamacpp:prompt_tokens_total", "llamacpp:prompt_seconds_total", "llamacpp:prompt_tokens_seconds",
        "llamacpp:tokens_predicted_total", "llamacpp:tokens_predicted_seconds_total", "llamacpp:predicted_tokens_seconds",
        "llamacpp:requests_processing", "llamacpp:requests_deferred", "llamacpp:n_tokens_max", "llamacpp:n_decode_total",
        "llamacpp:n_busy_slots_per_decode",
    };

    /// <summary>
    /// LiteLLM's Prometheus callback (§11.3) in exposition form: prometheus_client adds <c>_total</c> to counters and
    /// <c>_bucket</c>/<c>_sum</c>/<c>_count</c> to the latency histograms.
    /// </summary>
    public static IReadOnlySet<string> LiteLlm { get; } = Expand(
        counters: ["litellm_proxy_total_requests_metric", "litellm_proxy_failed_requests_metric", "litellm_deployment_success_responses",
            "litellm_deployment_failure_responses", "litellm_deployment_total_requests", "litellm_total_tokens_metric",
            "litellm_input_tokens_metric", "litellm_output_tokens_metric", "litellm_spend_metric", "litellm_requests_metric",
            "litellm_deployment_successful_fallbacks", "litellm_deployment_failed_fallbacks"],
        histograms: ["litellm_request_total_latency_metric", "litellm_llm_api_latency_metric", "litellm_llm_api_time_to_first_token_metric",
            "litellm_overhead_latency_metric", "litellm_deployment_latency_per_output_token"],
        gauges: ["litellm_deployment_state", "litellm_deployment_cooled_down", "litellm_remaining_requests_metric", "litellm_remaining_tokens_metric"]);

    /// <summary>kube-state-metrics v2 (bundled with kube-prometheus-stack, §6).</summary>
    public static IReadOnlySet<string> KubeStateMetrics { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "kube_pod_status_phase", "kube_pod_labels", "kube_pod_info", "kube_pod_container_resource_requests",
        "kube_node_status_allocatable", "kube_pod_container_status_restarts_total",
    };

    public static IReadOnlySet<string> All { get; } = Dcgm.Concat(LlamaCpp).Concat(LiteLlm).Concat(KubeStateMetrics).ToHashSet(StringComparer.Ordinal);

    private static HashSet<string> Expand(string[] counters, string[] histograms, string[] gauges) =>
        counters.Select(c => c + "_total")
            .Concat(histograms.SelectMany(h => new[] { h + "_bucket", h + "_sum", h + "_count" }))
            .Concat(gauges).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// The metric names a PromQL expression selects: identifiers that are not functions, keywords, label names in
    /// matchers or grouping lists, durations or numbers.
    /// </summary>
    public static IReadOnlySet<string> In(string expr)
    {
        var text = Strings().Replace(expr, "\"\"");
        text = Matchers().Replace(text, "");
        text = Ranges().Replace(text, "");
        text = Grouping().Replace(text, " ");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Identifier().Matches(text))
        {
            var name = m.Groups[1].Value;
            if (Keywords.Contains(name)) continue;
            if (m.Groups[2].Value == "(") continue; // a function call
            names.Add(name);
        }
        return names;
    }

    private static readonly HashSet<string> Keywords = ["and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "e"];

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex Strings();
    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();
    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();
    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();
    [GeneratedRegex(@"(?<![0-9.])\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\(?)")]
    private static partial Regex Identifier();
}
