namespace Llmctl.Stacks.Config;

/// <summary>
/// <c>&lt;project&gt;:gateway</c>: the LiteLLM proxy. Clients ask for stable aliases (<c>fast</c>, <c>chat</c>,
/// <c>agent</c>); each alias names the lanes that can serve it and follows whichever of them is active.
/// </summary>
public sealed record GatewayConfig
{
    public string Namespace { get; init; } = "litellm";
    /// <summary>
    /// A Secret the operator creates in <see cref="Namespace"/> holding the master key (a stack with no secret
    /// configuration). Null: the master key is the secret <c>&lt;project&gt;:litellmMasterKey</c>.
    /// </summary>
    public SecretRefConfig? MasterKeySecret { get; init; }
    public IReadOnlyList<GatewayAliasConfig> Aliases { get; init; } = [];
    /// <summary>The <c>litellm-database</c> image tag; null: the chart's appVersion.</summary>
    public string? ImageTag { get; init; }
}

/// <summary>An existing Kubernetes Secret and the key in it.</summary>
public sealed record SecretRefConfig
{
    public required string Name { get; init; }
    public required string Key { get; init; }
}

/// <summary>A client-facing name on the active one of <see cref="Lanes"/> (names of llama.cpp lanes).</summary>
public sealed record GatewayAliasConfig
{
    public required string Name { get; init; }
    public required IReadOnlyList<string> Lanes { get; init; }
    public int? Rpm { get; init; }
}
