using Llmctl.Engine.Config;
using Llmctl.Engine.Model;
using Llmctl.Components.Gateway;

namespace Llmctl.Stacks.Config;

/// <summary>
/// <c>&lt;project&gt;:gateway</c>: the LiteLLM proxy. Clients ask for stable aliases (<c>fast</c>, <c>chat</c>,
/// <c>agent</c>); each alias names the lanes that can serve it and follows whichever of them is active. Fleets put one
/// model on every node of an Ollama lane (one <c>model_list</c> entry per node, same name); external models route to
/// hosted providers whose keys are secret configuration.
/// </summary>
[ConfigRecord]
public sealed partial record GatewayConfig
{
    public string Namespace { get; init; } = "litellm";
    /// <summary>
    /// A Secret the operator creates in <see cref="Namespace"/> holding the master key (a stack with no secret
    /// configuration). Null: the master key is the secret <c>&lt;project&gt;:litellmMasterKey</c>.
    /// </summary>
    public SecretRefConfig? MasterKeySecret { get; init; }
    /// <summary>
    /// The master key itself, a <c>secure:</c> value (set it with <c>llmctl config set --secret --path
    /// gateway.masterKey sk-…</c>); the gateway writes it to its own Secret. Give this or <see cref="MasterKeySecret"/>.
    /// </summary>
    public Output<string>? MasterKey { get; init; }
    public IReadOnlyList<GatewayAliasConfig> Aliases { get; init; } = [];
    public IReadOnlyList<GatewayFleetConfig> Fleets { get; init; } = [];
    public IReadOnlyList<ExternalModelConfig> External { get; init; } = [];
    /// <summary>Environment variable (<c>OPENAI_API_KEY</c>) → provider key, each a <c>secure:</c> value.</summary>
    public IReadOnlyDictionary<string, Output<string>> ProviderKeys { get; init; } = new Dictionary<string, Output<string>>();
    public RouterConfig Router { get; init; } = new();
    public LiteLlmSettingsConfig Settings { get; init; } = new();
    /// <summary>An Ingress with a certificate from the <c>certificates</c> section's ClusterIssuer; null: none.</summary>
    public GatewayIngressConfig? Ingress { get; init; }
    /// <summary>The <c>litellm-database</c> image tag; null: the chart's appVersion.</summary>
    public string? ImageTag { get; init; }
}

/// <summary>One model served by every node of an Ollama lane, balanced under one name.</summary>
[ConfigRecord]
public sealed partial record GatewayFleetConfig
{
    /// <summary>The model name clients ask for, and the id each node serves unless <see cref="ServedModel"/> says otherwise.</summary>
    public required string Name { get; init; }
    /// <summary>The ollama lane whose nodes serve it.</summary>
    public required string Lane { get; init; }
    public string? ServedModel { get; init; }
    /// <summary>Requests per minute each node takes.</summary>
    public int? Rpm { get; init; }
    public int? Tpm { get; init; }
}

/// <summary>A hosted model; its key is the provider key named <see cref="ApiKeyEnv"/>.</summary>
[ConfigRecord]
public sealed partial record ExternalModelConfig
{
    public required string Name { get; init; }
    /// <summary>Provider-prefixed id (<c>openai/gpt-5.5</c>).</summary>
    public required string Model { get; init; }
    public required string ApiBase { get; init; }
    /// <summary>A key of <see cref="GatewayConfig.ProviderKeys"/> (<c>OPENAI_API_KEY</c>).</summary>
    public required string ApiKeyEnv { get; init; }
    public int? Rpm { get; init; }
    public int? Tpm { get; init; }
}

/// <summary>LiteLLM's <c>router_settings</c>.</summary>
[ConfigRecord]
public sealed partial record RouterConfig
{
    /// <summary><c>usage-based-routing</c>, <c>simple-shuffle</c>, <c>least-busy</c>, <c>latency-based-routing</c>, …</summary>
    public RoutingStrategy RoutingStrategy { get; init; } = RoutingStrategy.UsageBasedRouting;
    public int NumRetries { get; init; } = 2;
    /// <summary>Seconds.</summary>
    public int Timeout { get; init; } = 600;
}

/// <summary>LiteLLM's <c>litellm_settings</c>.</summary>
[ConfigRecord]
public sealed partial record LiteLlmSettingsConfig
{
    public bool DropParams { get; init; } = true;
    /// <summary>Seconds.</summary>
    public int RequestTimeout { get; init; } = 600;
}

/// <summary>The gateway's Ingress.</summary>
[ConfigRecord]
public sealed partial record GatewayIngressConfig
{
    public required string Host { get; init; }
    public string ClassName { get; init; } = "traefik";
    /// <summary>The ClusterIssuer; null: the one of the <c>certificates</c> section.</summary>
    public string? ClusterIssuer { get; init; }
}

/// <summary>An existing Kubernetes Secret and the key in it.</summary>
[ConfigRecord]
public sealed partial record SecretRefConfig
{
    public required string Name { get; init; }
    public required string Key { get; init; }
}

/// <summary>A client-facing name on the active one of <see cref="Lanes"/> (names of llama.cpp lanes).</summary>
[ConfigRecord]
public sealed partial record GatewayAliasConfig
{
    public required string Name { get; init; }
    public required IReadOnlyList<string> Lanes { get; init; }
    public int? Rpm { get; init; }
}
