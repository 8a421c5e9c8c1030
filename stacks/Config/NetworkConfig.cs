using Llmctl.Engine.Config;

namespace Llmctl.Stacks.Config;

/// <summary>
/// <c>&lt;project&gt;:tailnet</c>: the Tailscale side of a cluster joined over the tailnet (the node tag, its join key
/// and the policy file). Absent for a cluster that does not manage its tailnet (homelab).
/// </summary>
[ConfigRecord]
public sealed partial record TailnetConfig
{
    public string NodeTag { get; init; } = "tag:k3s";
    public IReadOnlyList<string> TagOwners { get; init; } = ["autogroup:admin"];
    /// <summary>Who may reach the API server and SSH on the nodes (where llmctl runs).</summary>
    public IReadOnlyList<string> Operators { get; init; } = ["autogroup:admin"];
    public int KeyExpiryDays { get; init; } = 90;
    public string PodCidr { get; init; } = "10.42.0.0/16";
    /// <summary>Replace a policy file someone already edited in the admin console.</summary>
    public bool OverwriteExistingPolicy { get; init; }
    public IReadOnlyList<TailnetRuleConfig> ExtraAcls { get; init; } = [];
}

/// <summary>One extra rule of the policy file (<c>{src: [...], dst: ["tag:k3s:443"], proto: tcp}</c>).</summary>
[ConfigRecord]
public sealed partial record TailnetRuleConfig
{
    public required IReadOnlyList<string> Src { get; init; }
    public required IReadOnlyList<string> Dst { get; init; }
    public string Proto { get; init; } = "any";
}
