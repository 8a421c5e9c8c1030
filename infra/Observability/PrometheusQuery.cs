using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Llmctl.Infra.Observability;

/// <summary>A Prometheus that did not answer, or answered with an error; the message says which.</summary>
public sealed class PrometheusException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Instant queries against Prometheus's HTTP API (<c>GET /api/v1/query</c>), for the figures llmctl reads from the
/// platform's own monitoring: the GPU memory DCGM reports (<c>DCGM_FI_DEV_FB_USED</c>, MiB) for <c>llmctl bench</c>'s
/// peak and for <c>preflight</c>. The HTTP client decides how Prometheus is reached: straight to a URL, to the
/// Service's in-cluster address, or through the Kubernetes API server (<see cref="Providers.Kubernetes.ServiceProxy"/>).
/// </summary>
public sealed class PrometheusQuery(HttpClient http, Uri baseUrl)
{
    /// <summary>kube-prometheus-stack's Prometheus port (its Service <c>&lt;fullname&gt;-prometheus</c>).</summary>
    public const int ServicePort = 9090;

    public Uri BaseUrl => baseUrl;

    /// <summary>The Prometheus Service kube-prometheus-stack makes for <paramref name="release"/> (the chart's fullname rule: 26 characters at most).</summary>
    public static string ServiceNameFor(string release)
    {
        ArgumentNullException.ThrowIfNull(release);
        const string chart = "kube-prometheus-stack";
        var full = release.Contains(chart, StringComparison.Ordinal) ? release : $"{release}-{chart}";
        return (full.Length > 26 ? full[..26] : full).TrimEnd('-') + "-prometheus";
    }

    /// <summary>
    /// The largest framebuffer use (MiB) of the GPUs on <paramref name="node"/> over the last <paramref name="window"/>
    /// (DCGM's exporter labels each series with the node name as <c>Hostname</c>).
    /// </summary>
    public static string PeakFramebufferQuery(string? node, TimeSpan window)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(window.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var selector = node is null ? "" : $"{{Hostname=\"{node.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"}}";
        return $"max(max_over_time(DCGM_FI_DEV_FB_USED{selector}[{seconds}s]))";
    }

    /// <summary>The largest value of the instant vector <paramref name="promql"/> evaluates to, or null when it is empty.</summary>
    public async Task<double?> MaxAsync(string promql, CancellationToken cancellationToken, DateTimeOffset? at = null)
    {
        var values = (await VectorAsync(promql, cancellationToken, at).ConfigureAwait(false)).Select(s => s.Value).ToList();
        return values.Count == 0 ? null : values.Max();
    }

    /// <summary>
    /// The series of the instant vector <paramref name="promql"/> evaluates to, each with its labels (series whose value
    /// is not a number are left out); empty when it has none. Throws <see cref="PrometheusException"/> when Prometheus
    /// does not answer, answers something that is not its API's JSON, or refuses the query.
    /// </summary>
    public async Task<IReadOnlyList<(JsonObject Labels, double Value)>> VectorAsync(string promql, CancellationToken cancellationToken, DateTimeOffset? at = null)
    {
        ArgumentNullException.ThrowIfNull(promql);
        var url = new Uri($"{baseUrl.AbsoluteUri.TrimEnd('/')}/api/v1/query?query={Uri.EscapeDataString(promql)}"
            + (at is { } t ? "&time=" + t.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) : ""));
        string text;
        System.Net.HttpStatusCode status;
        try
        {
            using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
            status = response.StatusCode;
            text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new PrometheusException($"Prometheus at {baseUrl} did not answer: {ex.Message}", ex);
        }
        JsonNode? json;
        try
        {
            json = JsonNode.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new PrometheusException($"Prometheus at {baseUrl} answered HTTP {(int)status} with something that is not its API's JSON", ex);
        }
        if (json?["status"]?.GetValue<string>() != "success")
        {
            throw new PrometheusException($"Prometheus at {baseUrl} refused the query (HTTP {(int)status}): {json?["error"]?.GetValue<string>() ?? "no reason given"}");
        }
        if (json["data"]?["result"] is not JsonArray result) return [];
        return result
            .Select(r => r?["value"] is JsonArray { Count: 2 } v && double.TryParse(v[1]?.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsNaN(d)
                ? (r["metric"] as JsonObject ?? [], d)
                : ((JsonObject, double)?)null)
            .OfType<(JsonObject, double)>()
            .ToList();
    }
}
