using System.Text.Json.Nodes;
using Llmctl.Components.Gateway;
using Llmctl.Components.Models;
using Llmctl.Engine.Model;
using Llmctl.Infra.Cli;
using Llmctl.Providers.Kubernetes;

namespace Llmctl.Infra.Benchmarking;

/// <summary>How requests reach a Service of the stack.</summary>
public enum ConnectMode
{
    /// <summary><see cref="Direct"/> inside a pod (<c>KUBERNETES_SERVICE_HOST</c> is set), else <see cref="Api"/>.</summary>
    Auto,
    /// <summary>The Service's in-cluster address (<c>&lt;name&gt;.&lt;ns&gt;.svc.cluster.local</c>): llmctl runs in the cluster.</summary>
    Direct,
    /// <summary>Through the Kubernetes API server's service proxy, with the stack's kubeconfig.</summary>
    Api,
}

/// <summary>
/// Turns <c>--lane</c>, <c>--alias</c> and <c>--url</c> into targets: a lane's own Service (llama.cpp, vLLM, or one
/// per node of an Ollama lane) with the model name it serves; the gateway's Service with the alias as the model; or a
/// URL as given. The key: <c>llmctl:benchApiKey</c> (a secret) for every target, else the gateway's
/// <c>gateway.masterKey</c> for aliases.
/// </summary>
internal sealed class BenchTargets(StackWorkspace ws, StackContext desired, ConnectMode mode)
{
    public const string ApiKeyConfig = "llmctl:benchApiKey";
    private HttpMessageHandler? _proxy;

    public ConnectMode Mode { get; } = mode == ConnectMode.Auto
        ? string.IsNullOrEmpty(ws.Cli.Environment("KUBERNETES_SERVICE_HOST")) ? ConnectMode.Api : ConnectMode.Direct
        : mode;

    /// <summary>The handler for Services: null when connecting directly; the API server's service proxy otherwise (made once).</summary>
    public HttpMessageHandler? ServiceHandler => Mode == ConnectMode.Direct ? null
        : _proxy ??= ServiceProxy.Create(KubernetesProviderOptions.FromConfig(ProviderSetup.Values(ws.Loaded, "kubernetes")) with { RequestTimeout = Timeout.InfiniteTimeSpan });

    /// <summary><c>llmctl:benchApiKey</c>, decrypted; null when not set.</summary>
    public string? BenchKey => Text(Config(ApiKeyConfig));

    /// <summary>The gateway's <c>gateway.masterKey</c> (a <c>secure:</c> value), decrypted; null when the stack keeps it elsewhere.</summary>
    public string? GatewayKey => Text((Config(ws.Loaded.ProjectName + ":gateway") as JsonObject)?["masterKey"]);

    private JsonNode? Config(string key) =>
        ws.Loaded.Config.TryGetValue(key, out var value) ? Engine.Config.YamlJson.ToJsonNode(value.Node, ws.Loaded.Decrypt) : null;

    private static string? Text(JsonNode? node) =>
        Engine.Model.PropertyValues.Unwrap(node) is JsonValue v && v.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    /// <summary>The lane's targets (one per node for an Ollama lane), and whether it is active.</summary>
    public (IReadOnlyList<ChatTarget> Targets, bool Active) Lane(string name, string? model)
    {
        var key = BenchKey;
        foreach (var resource in desired.Resources)
        {
            switch (resource)
            {
                case LlamaCppLane l when l.Name == name:
                    return ([Service($"lane {name}", TargetKind.Lane, name, l.Args.Namespace, l.Args.Port, model ?? l.Alias, key)], l.Args.Active);
                case VllmLane v when v.Name == name:
                    return ([Service($"lane {name}", TargetKind.Lane, name, v.Args.Namespace, v.Args.Port, model ?? v.ServedModelName, key)], v.Args.Active);
                case OllamaLane o when o.Name == name:
                    var served = model ?? o.Args.Pull.FirstOrDefault()
                        ?? throw new CliException(ExitCodes.ConfigOrUsage, $"ollama lane '{name}' pulls no model; name the one to ask for with --model");
                    return (o.Endpoints.Select(e => Service(o.Endpoints.Count == 1 ? $"lane {name}" : $"lane {name} on {e.Node}", TargetKind.Lane, e.ServiceName, e.Namespace, e.Port, served, key)).ToList(), true);
            }
        }
        var lanes = desired.Resources.Select(r => r switch { LlamaCppLane l => l.Name, VllmLane v => v.Name, OllamaLane o => o.Name, _ => null }).OfType<string>().ToList();
        throw new CliException(ExitCodes.ConfigOrUsage, $"no lane named '{name}'; the stack's lanes are: {(lanes.Count == 0 ? "none" : string.Join(", ", lanes))}");
    }

    public ChatTarget Alias(string alias)
    {
        var gateway = desired.Resources.OfType<LiteLlmGateway>().FirstOrDefault()
            ?? throw new CliException(ExitCodes.ConfigOrUsage, $"the stack has no gateway (the {ws.Loaded.ProjectName}:gateway section), so there is no alias '{alias}'");
        var names = gateway.ModelNames.ToList();
        if (!names.Contains(alias, StringComparer.Ordinal))
        {
            throw new CliException(ExitCodes.ConfigOrUsage, $"the gateway has no alias '{alias}'; its model names are: {string.Join(", ", names)}");
        }
        return Service($"alias {alias}", TargetKind.Alias, gateway.ServiceName, gateway.Args.Namespace, LiteLlmGateway.Port, alias, BenchKey ?? GatewayKey);
    }

    /// <summary>A URL target: the base ending in <c>/v1</c> (added when missing).</summary>
    public static ChatTarget Url(string url, string? model, string? key)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliException(ExitCodes.ConfigOrUsage, $"--url '{url}' is not an http(s) URL; give the server's base, e.g. http://127.0.0.1:8080/v1");
        }
        var trimmed = uri.AbsoluteUri.TrimEnd('/');
        var baseUrl = new Uri(trimmed.EndsWith("/v1", StringComparison.Ordinal) ? trimmed : trimmed + "/v1");
        return new ChatTarget(baseUrl.GetLeftPart(UriPartial.Path), TargetKind.Url, baseUrl, model ?? "default", key);
    }

    private ChatTarget Service(string display, TargetKind kind, string service, string @namespace, int port, string model, string? key) =>
        new(display, kind, ServiceProxy.ServiceUrl(service, @namespace, port, "v1"), model, key, ServiceHandler);
}
