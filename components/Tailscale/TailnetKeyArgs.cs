namespace Llmctl.Components.Tailscale;

/// <summary>When a key the API reports as invalid (used, expired, revoked) is created again.</summary>
public enum RecreateIfInvalid
{
    Always,
    Never,
}

/// <summary>Inputs of a <see cref="TailnetKey"/>, named as Pulumi.Tailscale's <c>TailnetKeyArgs</c>.</summary>
public sealed record TailnetKeyArgs
{
    /// <summary>The key can register more than one device.</summary>
    public bool Reusable { get; init; }
    /// <summary>Devices registered with the key are removed soon after they go offline.</summary>
    public bool Ephemeral { get; init; }
    /// <summary>Devices registered with the key need no approval.</summary>
    public bool Preauthorized { get; init; }
    /// <summary>Tags (<c>tag:k3s</c>) put on devices the key registers; required when the provider uses an OAuth client.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>Seconds the key is valid for; null for the API's default (90 days).</summary>
    public int? Expiry { get; init; }
    public string? Description { get; init; }
    /// <summary>Null for upstream's default: reusable keys are recreated, single-use keys are not.</summary>
    public RecreateIfInvalid? RecreateIfInvalid { get; init; }
}
