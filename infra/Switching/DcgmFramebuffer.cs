using System.Globalization;
using Llmctl.Infra.Observability;
using Llmctl.Engine.Config;
using Llmctl.Infra.Cli;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Infra.Switching;

/// <summary>
/// DCGM's used framebuffer of a node's GPUs, read live from Prometheus (<c>DCGM_FI_DEV_FB_USED</c>, MiB, one series per
/// GPU, exported by the DCGM exporter the stack deploys and scraped by its Prometheus) through the HTTP query API
/// (<c>GET /api/v1/query</c>). The Prometheus URL comes from <c>--prometheus</c>, else the stack's
/// <c>llmctl:prometheus</c> key. A series belongs to the node when its <c>Hostname</c> label (the exporter's, set from
/// the node name in Kubernetes) or a <c>node</c> / <c>kubernetes_node</c> / <c>instance</c> label (relabelled by a
/// ServiceMonitor) names it. Prometheus not configured, not reachable or answering an error is a readable
/// "not checked" line, never a failure of the preflight.
/// </summary>
internal static class DcgmFramebuffer
{
    public const string StackKey = "llmctl:prometheus";
    public const string Metric = "DCGM_FI_DEV_FB_USED";
    private static readonly string[] NodeLabels = ["Hostname", "node", "kubernetes_node", "instance"];

    /// <summary><paramref name="flag"/>, else the stack's <c>llmctl:prometheus</c>; null when neither is set. A value that is not an http(s) URL is a usage error.</summary>
    public static Uri? Url(LoadedStack stack, string? flag)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var (text, where) = flag is not null ? (flag, "--prometheus")
            : stack.Config.TryGetValue(StackKey, out var value) ? ((value.Node as YamlScalarNode)?.Value, $"{stack.DisplayPath(stack.StackFilePath)}: {StackKey}")
            : (null, "");
        if (text is null && where.Length == 0) return null;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new CliException(ExitCodes.ConfigOrUsage, $"{where}: '{text}' is not the http(s) URL of a Prometheus server, e.g. http://127.0.0.1:9090");
    }

    /// <summary>The <c>framebuffer:</c> line of the preflight for <paramref name="node"/>.</summary>
    public static async Task<string> ReadAsync(Uri? prometheus, string node, CancellationToken ct)
    {
        if (prometheus is null)
        {
            return $"not checked (no Prometheus configured; set {StackKey} in the stack file or pass --prometheus <url> to read {Metric})";
        }
        IReadOnlyList<(System.Text.Json.Nodes.JsonObject Labels, double Value)> series;
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            series = await new PrometheusQuery(http, prometheus).VectorAsync(Metric, ct).ConfigureAwait(false);
        }
        catch (PrometheusException ex) when (ex.InnerException is HttpRequestException or TaskCanceledException or IOException)
        {
            return $"not checked (Prometheus at {prometheus} is not reachable: {ex.InnerException.Message})";
        }
        catch (PrometheusException ex)
        {
            return $"not checked ({ex.Message})";
        }
        var gpus = series
            .Where(s => NodeLabels.Any(l => Names(s.Labels, l, node)))
            .Select(s => (Gpu: s.Labels["gpu"]?.GetValue<string>() ?? "?", MiB: s.Value))
            .ToList();
        if (gpus.Count == 0)
        {
            return $"not checked (Prometheus at {prometheus} has no {Metric} series for node '{node}'; is the DCGM exporter running there and scraped?)";
        }
        var used = string.Join(", ", gpus.OrderBy(g => g.Gpu, StringComparer.Ordinal).Select(g => string.Create(CultureInfo.InvariantCulture, $"GPU {g.Gpu} {g.MiB:0} MiB used")));
        return $"{used} on node '{node}' ({Metric} from {prometheus})";
    }

    private static bool Names(System.Text.Json.Nodes.JsonObject labels, string label, string node)
    {
        if (labels[label]?.GetValue<string>() is not { } text) return false;
        if (label == "instance" && text.LastIndexOf(':') is > 0 and var colon) text = text[..colon];
        return string.Equals(text, node, StringComparison.Ordinal);
    }
}
