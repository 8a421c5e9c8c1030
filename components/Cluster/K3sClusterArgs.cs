using Llmctl.Engine.Model;

namespace Llmctl.Components.Cluster;

/// <summary>How cluster traffic crosses the tailnet.</summary>
public enum K3sNetworkMode
{
    /// <summary>
    /// Tailscale is already up on every node (NixOS, cloud-init); flannel VXLAN runs over <c>tailscale0</c> between
    /// the nodes' tailnet addresses (<c>--node-ip</c>, <c>--node-external-ip</c>, <c>--flannel-iface tailscale0</c>).
    /// Seed 000's setup.
    /// </summary>
    FlannelOverTailscale,
    /// <summary>
    /// k3s's native integration (experimental): k3s runs <c>tailscale up</c> with the join key and advertises each
    /// node's pod CIDR as a Tailscale route. The tailnet policy must auto-approve the pod CIDR.
    /// </summary>
    VpnAuth,
}

/// <summary>The effect of a node taint.</summary>
public enum TaintEffect
{
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}

/// <summary>A taint put on a node when it registers (<c>--node-taint key=value:Effect</c>).</summary>
public sealed record K3sTaint(string Key, string Value, TaintEffect Effect = TaintEffect.NoSchedule)
{
    public override string ToString() => $"{Key}={Value}:{Effect}";
}

/// <summary>How to reach a node over SSH (the tailnet name or address is <see cref="K3sNodeArgs.Host"/>).</summary>
public sealed record K3sSsh
{
    public string User { get; init; } = "root";
    public int Port { get; init; } = 22;
    /// <summary>The private key's contents; secret.</summary>
    public Output<string>? PrivateKey { get; init; }
    /// <summary>The host key pin (<c>SHA256:…</c> or an OpenSSH public key line).</summary>
    public Output<string>? HostKey { get; init; }
    /// <summary>Accept and record an unknown host key on the first connection.</summary>
    public bool TrustOnFirstUse { get; init; }
    public string? KnownHostsPath { get; init; }
}

/// <summary>One k3s node: the server or an agent.</summary>
public sealed record K3sNodeArgs
{
    /// <summary>The Kubernetes node name (<c>--node-name</c>).</summary>
    public required string Name { get; init; }
    /// <summary>The node's tailnet (MagicDNS) name: SSH goes there, and for the server it is the API server's name.</summary>
    public required string Host { get; init; }
    /// <summary>
    /// The node's tailnet IPv4 address (100.x). Required with <see cref="K3sNetworkMode.FlannelOverTailscale"/>: k3s
    /// parses <c>--node-ip</c>/<c>--node-external-ip</c> as addresses, not names. Unused with vpn-auth (k3s takes it from tailscale).
    /// </summary>
    public string? TailnetIp { get; init; }
    public K3sSsh Ssh { get; init; } = new();
    /// <summary>Labels applied when the node registers (k3s applies <c>--node-label</c> only then).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Taints applied when the node registers.</summary>
    public IReadOnlyList<K3sTaint> Taints { get; init; } = [];
    /// <summary>containerd's default runtime (<c>nvidia</c> on a node where every pod should see the GPU); null keeps runc.</summary>
    public string? DefaultRuntime { get; init; }
}

/// <summary>
/// A k3s cluster installed over SSH: one server and any number of agents, all at one pinned k3s version.
/// </summary>
public sealed record K3sClusterArgs
{
    /// <summary>The exact k3s release (<c>v1.35.5+k3s1</c>); changing it upgrades the nodes in place, server first.</summary>
    public required string Version { get; init; }
    public required K3sNodeArgs Server { get; init; }
    public IReadOnlyList<K3sNodeArgs> Agents { get; init; } = [];
    public K3sNetworkMode Network { get; init; } = K3sNetworkMode.FlannelOverTailscale;
    /// <summary>The Tailscale auth key for <see cref="K3sNetworkMode.VpnAuth"/> (a <c>Tailnet</c>'s join key); secret.</summary>
    public Output<string>? JoinKey { get; init; }
    /// <summary>
    /// The cluster join token, from secret config. Null generates one on the server (32 random bytes, hex) on first
    /// install; it is then read back as a secret output and handed to the agents.
    /// </summary>
    public Output<string>? Token { get; init; }
    /// <summary>More names or addresses for the API server certificate, besides the server's tailnet name.</summary>
    public IReadOnlyList<string> ExtraTlsSans { get; init; } = [];
    /// <summary>
    /// The install script (<c>https://get.k3s.io</c>, or a <c>file://</c> path on the nodes for air-gapped installs);
    /// the k3s binary itself is pinned by <see cref="Version"/>.
    /// </summary>
    public string InstallScriptUrl { get; init; } = "https://get.k3s.io";
    /// <summary>
    /// Where the join token and the admin kubeconfig live on the nodes (k3s's <c>/etc/rancher/k3s</c>; elsewhere the
    /// server is started with <c>--write-kubeconfig</c> there).
    /// </summary>
    public string ConfigDir { get; init; } = K3sScripts.DefaultConfigDir;
    /// <summary>Where the installer puts <c>k3s</c> and its uninstall scripts (<c>INSTALL_K3S_BIN_DIR</c>; <c>/usr/local/bin</c>).</summary>
    public string BinDir { get; init; } = K3sScripts.DefaultBinDir;
    /// <summary>Run k3s's uninstall script when a node is removed from the stack. Off by default: forgetting a node must not wipe it.</summary>
    public bool UninstallOnDelete { get; init; }
}
