using Llmctl.Engine.Config;

namespace Llmctl.Stacks.Config;

public enum K3sNetwork
{
    /// <summary>Tailscale already runs on the nodes; flannel VXLAN over <c>tailscale0</c> (seed 000).</summary>
    Flannel,
    /// <summary>k3s's native Tailscale integration (<c>--vpn-auth</c>, experimental) with the tailnet's join key.</summary>
    VpnAuth,
}

/// <summary>
/// <c>&lt;project&gt;:k3s</c>: the cluster installed by llmctl over SSH. Absent when the cluster already exists
/// (homelab: the GPU worker VM joined an existing k3s). The join token is generated on the server at first install
/// unless the secret <c>&lt;project&gt;:k3sToken</c> is set; SSH logs in with the secret <c>&lt;project&gt;:sshPrivateKey</c>.
/// </summary>
[ConfigRecord]
public sealed partial record K3sConfig
{
    /// <summary>The exact k3s release (<c>v1.35.5+k3s1</c>).</summary>
    public required string Version { get; init; }
    public K3sNetwork Network { get; init; } = K3sNetwork.Flannel;
    public required K3sNodeConfig Server { get; init; }
    public IReadOnlyList<K3sNodeConfig> Agents { get; init; } = [];
    public IReadOnlyList<string> ExtraTlsSans { get; init; } = [];
    public string SshUser { get; init; } = "root";
    /// <summary>The k3s install script: <c>https://get.k3s.io</c>, or a <c>file://</c> path on the nodes (air-gapped).</summary>
    public string InstallScriptUrl { get; init; } = "https://get.k3s.io";
    /// <summary>Where the token and the admin kubeconfig live on the nodes (k3s's <c>/etc/rancher/k3s</c>).</summary>
    public string ConfigDir { get; init; } = Components.Cluster.K3sScripts.DefaultConfigDir;
    /// <summary>Where the installer puts k3s and its uninstall scripts (<c>INSTALL_K3S_BIN_DIR</c>; <c>/usr/local/bin</c>).</summary>
    public string BinDir { get; init; } = Components.Cluster.K3sScripts.DefaultBinDir;
    /// <summary>Run k3s's uninstall scripts on <c>llmctl destroy</c> (and when a node leaves the stack); off by default.</summary>
    public bool UninstallOnDestroy { get; init; }
}

/// <summary>One k3s node.</summary>
[ConfigRecord]
public sealed partial record K3sNodeConfig
{
    /// <summary>The Kubernetes node name.</summary>
    public required string Name { get; init; }
    /// <summary>The tailnet (MagicDNS) name SSH and the API server use.</summary>
    public required string Host { get; init; }
    /// <summary>The node's 100.x tailnet address (flannel network).</summary>
    public string? TailnetIp { get; init; }
    /// <summary>The SSH host key pin (<c>SHA256:…</c> from <c>ssh-keyscan node | ssh-keygen -lf -</c>).</summary>
    public required string HostKey { get; init; }
    /// <summary>The node's SSH port (22).</summary>
    public int SshPort { get; init; } = 22;
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Taints as <c>key=value:Effect</c>.</summary>
    public IReadOnlyList<string> Taints { get; init; } = [];
    public string? DefaultRuntime { get; init; }
}
