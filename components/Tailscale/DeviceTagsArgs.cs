using Llmctl.Engine.Model;

namespace Llmctl.Components.Tailscale;

/// <summary>Inputs of a <see cref="DeviceTags"/>, named as Pulumi.Tailscale's <c>DeviceTagsArgs</c>.</summary>
public sealed record DeviceTagsArgs
{
    /// <summary>The device's nodeId (preferred) or legacy id; may come from another resource's output.</summary>
    public required Output<string> DeviceId { get; init; }
    /// <summary>The device's whole tag set (<c>tag:gpu</c>); tags not listed are removed.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
}
