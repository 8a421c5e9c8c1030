using System.Text.RegularExpressions;
using k8s.Models;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Observability;

/// <summary>
/// The ServiceMonitor for one llama.cpp lane: its Service's named port, <c>/metrics</c>. A single-model server is one
/// endpoint; a router-mode server is one endpoint per model with <c>params: {model: [&lt;id&gt;]}</c>, because router
/// mode answers <c>/metrics</c> only with <c>?model=</c> (reference §8, §13.4). Each endpoint sets a <c>model</c>
/// target label so the per-model series stay apart.
/// </summary>
public sealed class LlamaCppServiceMonitor : ComponentResource
{
    public const string TypeToken = "llmctl:observability:LlamaCppServiceMonitor";
    public const string MetricsPath = "/metrics";

    public LlamaCppServiceMonitor(string name, LlamaCppServiceMonitorArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        Args = args;
        ComponentArgumentException.ThrowIfAny(this, Validate(name, args));
        Monitor = new KubernetesObject<V1ServiceMonitor>(name, Build(name, args),
            new CustomResourceOptions { Parent = this, DependsOn = RawOptions.DependsOn });
        RegisterOutputs(new Dictionary<string, object?> { ["endpoints"] = Monitor.Object.Spec.Endpoints.Count });
    }

    public LlamaCppServiceMonitorArgs Args { get; }
    public KubernetesObject<V1ServiceMonitor> Monitor { get; }

    public static V1ServiceMonitor Build(string name, LlamaCppServiceMonitorArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var endpoints = args.RouterMode
            ? args.Models.Select(model => Endpoint(args, model, routed: true)).ToList()
            : [Endpoint(args, args.Models.FirstOrDefault(), routed: false)];
        return ServiceMonitors.Build(name, args.Namespace, "llama-cpp", args.PrometheusRelease, endpoints);
    }

    private static V1ServiceMonitorEndpoint Endpoint(LlamaCppServiceMonitorArgs args, string? model, bool routed)
    {
        var endpoint = new V1ServiceMonitorEndpoint
        {
            Port = args.PortName,
            Path = MetricsPath,
            Interval = args.ScrapeInterval,
            Relabelings = ServiceMonitors.KeepService(args.ServiceName),
        };
        if (routed) endpoint.Params = new Dictionary<string, IList<string>> { ["model"] = [model!] };
        if (model is not null)
        {
            endpoint.Relabelings.Add(new V1RelabelConfig { TargetLabel = "model", Replacement = model, Action = "replace" });
        }
        return endpoint;
    }

    private static List<ArgumentProblem> Validate(string name, LlamaCppServiceMonitorArgs args)
    {
        var problems = ServiceMonitors.Validate(name, args.Namespace, args.ServiceName, args.PortName, args.PrometheusRelease, args.ScrapeInterval);
        if (args.RouterMode && args.Models.Count == 0)
        {
            problems.Add(new ArgumentProblem("models", "router mode answers /metrics only with ?model=<id>; list the model ids to scrape"));
        }
        if (!args.RouterMode && args.Models.Count > 1)
        {
            problems.Add(new ArgumentProblem("models", $"a single-model server serves one model, not {args.Models.Count}; set routerMode for a router"));
        }
        if (args.Models.Count != args.Models.Distinct(StringComparer.Ordinal).Count())
        {
            problems.Add(new ArgumentProblem("models", "list each model id once"));
        }
        for (var i = 0; i < args.Models.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(args.Models[i])) problems.Add(new ArgumentProblem($"models[{i}]", "a model id cannot be empty"));
        }
        return problems;
    }
}

/// <summary>The ServiceMonitor for the LiteLLM gateway: its Service's named port, <c>/metrics/</c>, optionally with a bearer token.</summary>
public sealed class LiteLlmServiceMonitor : ComponentResource
{
    public const string TypeToken = "llmctl:observability:LiteLlmServiceMonitor";

    public LiteLlmServiceMonitor(string name, LiteLlmServiceMonitorArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        Args = args;
        var problems = ServiceMonitors.Validate(name, args.Namespace, args.ServiceName, args.PortName, args.PrometheusRelease, args.ScrapeInterval);
        if (!(args.Path ?? "").StartsWith('/')) problems.Add(new ArgumentProblem("path", $"'{args.Path}' is not an absolute URL path; LiteLLM's is '/metrics/'"));
        if (args.BearerToken is { } token)
        {
            if (KubernetesNames.Dns1123LabelProblem(token.Name) is { } p) problems.Add(new ArgumentProblem("bearerToken.name", p));
            if (string.IsNullOrWhiteSpace(token.Key)) problems.Add(new ArgumentProblem("bearerToken.key", "name the Secret key that holds the token"));
        }
        ComponentArgumentException.ThrowIfAny(this, problems);
        Monitor = new KubernetesObject<V1ServiceMonitor>(name, Build(name, args),
            new CustomResourceOptions { Parent = this, DependsOn = RawOptions.DependsOn });
        RegisterOutputs(new Dictionary<string, object?> { ["path"] = args.Path });
    }

    public LiteLlmServiceMonitorArgs Args { get; }
    public KubernetesObject<V1ServiceMonitor> Monitor { get; }

    public static V1ServiceMonitor Build(string name, LiteLlmServiceMonitorArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var endpoint = new V1ServiceMonitorEndpoint
        {
            Port = args.PortName,
            Path = args.Path,
            Interval = args.ScrapeInterval,
            Relabelings = ServiceMonitors.KeepService(args.ServiceName),
        };
        if (args.BearerToken is { } token)
        {
            endpoint.Authorization = new V1SafeAuthorization
            {
                Type = "Bearer",
                Credentials = new V1SecretKeySelector { Name = token.Name, Key = token.Key },
            };
        }
        return ServiceMonitors.Build(name, args.Namespace, "litellm", args.PrometheusRelease, [endpoint]);
    }
}

/// <summary>What the ServiceMonitor components share.</summary>
internal static partial class ServiceMonitors
{
    /// <summary>
    /// A ServiceMonitor in the Service's namespace that selects every Service there (an empty selector) and keeps only
    /// the named one by relabeling: a ServiceMonitor cannot select by name, and the Service name is what callers know.
    /// </summary>
    public static V1ServiceMonitor Build(string name, string ns, string component, string release, List<V1ServiceMonitorEndpoint> endpoints) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = ObservabilityLabels.For(component, release) },
        Spec = new V1ServiceMonitorSpec
        {
            Selector = new V1LabelSelector(),
            NamespaceSelector = new V1NamespaceSelector { MatchNames = [ns] },
            Endpoints = endpoints,
        },
    };

    public static List<V1RelabelConfig> KeepService(string service) =>
    [
        new V1RelabelConfig
        {
            SourceLabels = ["__meta_kubernetes_service_name"],
            Regex = Regex.Escape(service),
            Action = "keep",
        },
    ];

    public static List<ArgumentProblem> Validate(string name, string ns, string service, string port, string release, string interval)
    {
        var problems = new List<ArgumentProblem>();
        if (KubernetesNames.Dns1123LabelProblem(name) is { } n) problems.Add(new ArgumentProblem("name", n));
        if (KubernetesNames.Dns1123LabelProblem(ns) is { } nsp) problems.Add(new ArgumentProblem("namespace", nsp));
        if (KubernetesNames.Dns1035LabelProblem(service) is { } s) problems.Add(new ArgumentProblem("serviceName", s + " (Service names follow the DNS-1035 label rule)"));
        if (!PortName().IsMatch(port ?? ""))
        {
            problems.Add(new ArgumentProblem("portName", $"'{port}' is not a Service port name; ServiceMonitors select ports by name (e.g. 'http'), at most 15 lowercase letters, digits and '-'"));
        }
        if (KubernetesNames.Dns1123LabelProblem(release) is { } r) problems.Add(new ArgumentProblem("prometheusRelease", r));
        if (!ObservabilityLabels.IsPrometheusDuration(interval))
        {
            problems.Add(new ArgumentProblem("scrapeInterval", $"'{interval}' is not a Prometheus duration; write e.g. '30s'"));
        }
        return problems;
    }

    [GeneratedRegex(@"^(?=.{1,15}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex PortName();
}
