namespace Llmctl.Components.Network;

/// <summary>The transport protocol of a policy-file rule (Tailscale's <c>proto</c>).</summary>
public enum TailnetProto
{
    Any,
    Tcp,
    Udp,
}

/// <summary>
/// One rule of the tailnet policy file (<c>{"action":"accept","src":[…],"dst":[…],"proto":…}</c>). Destinations are
/// <c>host:port</c> (<c>tag:k3s:6443</c>, <c>10.42.0.0/16:*</c>).
/// </summary>
public sealed record TailnetAclRule(IReadOnlyList<string> Src, IReadOnlyList<string> Dst, TailnetProto Proto = TailnetProto.Any)
{
    public string Action { get; init; } = "accept";
}

/// <summary>
/// A tailnet prepared for k3s: the tag the nodes carry, a pre-authorised join key for that tag, and the policy file
/// with the rules k3s needs between nodes. Defaults follow k3s's defaults (pod CIDR <c>10.42.0.0/16</c>).
/// </summary>
public sealed record TailnetArgs
{
    /// <summary>The tag every cluster node carries (<c>tag:k3s</c>); the join key registers devices with it.</summary>
    public string NodeTag { get; init; } = "tag:k3s";
    /// <summary>Who may apply <see cref="NodeTag"/> (<c>tagOwners</c>): users, groups or <c>autogroup:admin</c>.</summary>
    public IReadOnlyList<string> TagOwners { get; init; } = ["autogroup:admin"];
    /// <summary>Who may reach the nodes' API server (6443/tcp) and SSH (22/tcp) from outside the cluster, e.g. where llmctl runs.</summary>
    public IReadOnlyList<string> Operators { get; init; } = ["autogroup:admin"];
    /// <summary>The join key registers more than one device (one key for the whole fleet).</summary>
    public bool Reusable { get; init; } = true;
    /// <summary>Devices registered with the key need no approval in the admin console.</summary>
    public bool Preauthorized { get; init; } = true;
    /// <summary>Nodes are long-lived: ephemeral devices would be removed when a node is offline for a while.</summary>
    public bool Ephemeral { get; init; }
    /// <summary>How long the join key is valid; Tailscale allows 1 to 90 days.</summary>
    public TimeSpan KeyExpiry { get; init; } = TimeSpan.FromDays(90);
    /// <summary>
    /// k3s's native Tailscale integration (<c>--vpn-auth</c>) is used: each node advertises its pod CIDR as a subnet
    /// route, so the pod CIDR must be auto-approved for <see cref="NodeTag"/> (k3s-io/k3s#8372) and reachable from it.
    /// Without it, pod traffic is flannel VXLAN between node addresses (8472/udp).
    /// </summary>
    public bool VpnAuth { get; init; }
    /// <summary>The cluster's pod CIDR (k3s <c>--cluster-cidr</c>).</summary>
    public string PodCidr { get; init; } = "10.42.0.0/16";
    /// <summary>More rules, written after the generated ones (duplicates of a generated rule are dropped).</summary>
    public IReadOnlyList<TailnetAclRule> ExtraAcls { get; init; } = [];
    /// <summary>More tag owners (<c>tag:gpu</c> → owners), merged with the node tag's.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ExtraTagOwners { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
    /// <summary>Take over a policy file someone already edited (the Acl resource's <c>overwriteExistingContent</c>).</summary>
    public bool OverwriteExistingPolicy { get; init; }
}
