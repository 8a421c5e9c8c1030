using Llmctl.Components.Models;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Gateway;

/// <summary>The LiteLLM gateway: chart, secrets, routes and the Ingress.</summary>
public sealed record LiteLlmGatewayArgs
{
    public string Namespace { get; init; } = "litellm";
    /// <summary>Create the namespace as an object, so the gateway's Secrets can be written before the chart runs.</summary>
    public bool CreateNamespace { get; init; } = true;
    /// <summary>
    /// The proxy's admin key (LiteLLM wants it to start with <c>sk-</c>), from secret configuration; the gateway writes
    /// it to its own Secret. Give this or <see cref="MasterKeySecret"/>, not both.
    /// </summary>
    public Output<string>? MasterKey { get; init; }
    /// <summary>
    /// A Secret the operator creates in <see cref="Namespace"/> before the gateway starts, and the key holding the
    /// master key: for a stack with no secret configuration. The gateway writes no master-key Secret then.
    /// </summary>
    public ExistingSecretKey? MasterKeySecret { get; init; }
    /// <summary>Stable names clients use (<c>fast</c>, <c>chat</c>, <c>agent</c>, <c>embed</c>), each on one backend.</summary>
    public IReadOnlyList<ModelAlias> Aliases { get; init; } = [];
    /// <summary>Models served by several identical nodes: one <c>model_list</c> entry per node, same name.</summary>
    public IReadOnlyList<ModelFleet> Fleets { get; init; } = [];
    /// <summary>Hosted providers; their keys are named by <see cref="ExternalModel.ApiKeyEnv"/> in <see cref="ProviderKeys"/>.</summary>
    public IReadOnlyList<ExternalModel> ExternalModels { get; init; } = [];
    /// <summary>Environment variable name (<c>OPENAI_API_KEY</c>) → key from secret configuration.</summary>
    public IReadOnlyDictionary<string, Output<string>> ProviderKeys { get; init; } = new Dictionary<string, Output<string>>();
    public RouterSettings Router { get; init; } = new();
    public LiteLlmSettings Settings { get; init; } = new();
    public GatewayDatabase Database { get; init; } = GatewayDatabase.Standalone();
    public GatewayIngress? Ingress { get; init; }
    public string ChartVersion { get; init; } = LiteLlmGateway.ChartVersion;
    /// <summary>The <c>litellm-database</c> image tag (seed 000: <c>main-v1.82.3-stable</c>); null: the chart's appVersion.</summary>
    public string? ImageTag { get; init; }
    public bool ServiceMonitor { get; init; }
    /// <summary>Taints the proxy, its migration Job and the standalone Postgres tolerate (<see cref="Helm.SystemTolerations"/>); empty: none.</summary>
    public IReadOnlyList<k8s.Models.V1Taint> Tolerate { get; init; } = [];
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);
}

/// <summary>A key of a Secret llmctl does not manage.</summary>
public sealed record ExistingSecretKey(string Name, string Key);

/// <summary>A stable client-facing name on one OpenAI-compatible backend.</summary>
public sealed record ModelAlias
{
    /// <summary>The name clients ask for (<c>fast</c>).</summary>
    public required string Name { get; init; }
    /// <summary>The backend's OpenAI base URL (<see cref="LlamaCppLane.Endpoint"/>).</summary>
    public required string ApiBase { get; init; }
    /// <summary>The id the backend serves (llama-server's <c>--alias</c>).</summary>
    public required string ServedModel { get; init; }
    public int? Rpm { get; init; }
    public int? Tpm { get; init; }

    /// <summary>The alias on whichever of <paramref name="lanes"/> is active; exactly one must be.</summary>
    public static ModelAlias ToActiveLane(string name, params IReadOnlyList<LlamaCppLane> lanes)
    {
        ArgumentNullException.ThrowIfNull(lanes);
        var active = lanes.Where(l => l.Args.Active).ToList();
        if (active.Count != 1)
        {
            var names = string.Join(", ", lanes.Select(l => l.Name));
            throw new ArgumentException(active.Count == 0
                ? $"alias '{name}': none of its lanes ({names}) is active; activate one so the alias has a backend"
                : $"alias '{name}': {active.Count} of its lanes are active ({string.Join(", ", active.Select(l => l.Name))}); activate exactly one", nameof(lanes));
        }
        return new ModelAlias { Name = name, ApiBase = active[0].Endpoint, ServedModel = active[0].Alias };
    }
}

/// <summary>One model on several nodes (seed 000: Ollama on each mini PC), balanced under one name.</summary>
public sealed record ModelFleet
{
    public required string ModelName { get; init; }
    /// <summary>The id every node serves; default <see cref="ModelName"/>.</summary>
    public string? ServedModel { get; init; }
    /// <summary>Each node's OpenAI base URL (<c>http://ollama.ollama.svc.cluster.local:11434/v1</c>).</summary>
    public required IReadOnlyList<string> Endpoints { get; init; }
    /// <summary>Requests per minute each node takes.</summary>
    public int? Rpm { get; init; }
    public int? Tpm { get; init; }
}

/// <summary>A hosted model behind the gateway, its key read from the environment.</summary>
public sealed record ExternalModel
{
    public required string ModelName { get; init; }
    /// <summary>Provider-prefixed id (<c>openai/gpt-5.5</c>).</summary>
    public required string Model { get; init; }
    public required string ApiBase { get; init; }
    /// <summary>The environment variable holding the key (<c>OPENAI_API_KEY</c>); must be in the gateway's provider keys.</summary>
    public required string ApiKeyEnv { get; init; }
    public int? Rpm { get; init; }
    public int? Tpm { get; init; }
}

/// <summary>Where LiteLLM keeps keys, spend and users.</summary>
public abstract record GatewayDatabase
{
    /// <summary>The chart's bundled PostgreSQL; its passwords come from secret configuration.</summary>
    public static StandaloneDatabase Standalone(Output<string>? password = null) => new() { Password = password };
    /// <summary>An existing PostgreSQL; the whole URL (<c>postgresql://user:pass@host/db</c>) is secret.</summary>
    public static ExternalDatabase External(Output<string> url) => new() { Url = url };
}

public sealed record StandaloneDatabase : GatewayDatabase
{
    /// <summary>Null leaves the chart's published default password: fine for a try-out, not for keys that matter.</summary>
    public Output<string>? Password { get; init; }
}

public sealed record ExternalDatabase : GatewayDatabase
{
    public required Output<string> Url { get; init; }
}

/// <summary>The chart's Ingress with a certificate from a cert-manager ClusterIssuer (the annotation; no Certificate object needed).</summary>
public sealed record GatewayIngress
{
    public required string Host { get; init; }
    /// <summary>The ClusterIssuer's name (<c>letsencrypt-ionos-prod</c>).</summary>
    public required string ClusterIssuer { get; init; }
    public string ClassName { get; init; } = "traefik";
    /// <summary>The TLS Secret cert-manager writes; default <c>&lt;gateway name&gt;-tls</c>.</summary>
    public string? TlsSecretName { get; init; }
}
