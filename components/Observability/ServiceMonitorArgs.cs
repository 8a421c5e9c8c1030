namespace Llmctl.Components.Observability;

/// <summary>Scrape one llama.cpp lane's Service (<c>llama-server --metrics</c>).</summary>
public sealed record LlamaCppServiceMonitorArgs
{
    /// <summary>The lane's Service (for <c>LlamaCppLane</c>: the lane name).</summary>
    public required string ServiceName { get; init; }
    /// <summary>The Service's namespace; the ServiceMonitor goes there too.</summary>
    public required string Namespace { get; init; }
    /// <summary>The Service port's name (<c>LlamaCppLane</c> names it <c>http</c>).</summary>
    public string PortName { get; init; } = "http";
    /// <summary>
    /// The served model ids. One server with one model: at most one id, which only becomes the series' <c>model</c>
    /// label. Router mode: every id, each scraped as its own endpoint with <c>?model=&lt;id&gt;</c>.
    /// </summary>
    public IReadOnlyList<string> Models { get; init; } = [];
    /// <summary>llama-server runs as a router (no <c>-m</c>): <c>/metrics</c> answers 400 without <c>?model=</c>.</summary>
    public bool RouterMode { get; init; }
    public string PrometheusRelease { get; init; } = KubePrometheusStack.DefaultReleaseName;
    /// <summary>A Prometheus duration.</summary>
    public string ScrapeInterval { get; init; } = "30s";
}

/// <summary>Scrape the LiteLLM gateway (<c>litellm_settings.callbacks: ["prometheus"]</c>).</summary>
public sealed record LiteLlmServiceMonitorArgs
{
    public required string ServiceName { get; init; }
    public required string Namespace { get; init; }
    /// <summary>The Service port's name (the litellm-helm chart names its port 4000 <c>http</c>).</summary>
    public string PortName { get; init; } = "http";
    /// <summary>LiteLLM serves the Prometheus app at <c>/metrics/</c> (<c>/metrics</c> redirects).</summary>
    public string Path { get; init; } = "/metrics/";
    /// <summary>A Secret key in <see cref="Namespace"/> holding a key sent as <c>Authorization: Bearer</c>; current LiteLLM requires auth on <c>/metrics</c>.</summary>
    public SecretKey? BearerToken { get; init; }
    public string PrometheusRelease { get; init; } = KubePrometheusStack.DefaultReleaseName;
    public string ScrapeInterval { get; init; } = "30s";
}

/// <summary>A key of a Secret.</summary>
public sealed record SecretKey(string Name, string Key);
