using Llmctl.Components.Cluster;
using Llmctl.Components.Kubernetes;
using Llmctl.Components.Network;
using Llmctl.Engine.Model;
using Llmctl.Stacks.Config;

namespace Llmctl.Stacks.Compose;

/// <summary>
/// The fleet's foundation: the tailnet (join key and policy file) and the k3s cluster installed over SSH. A stack
/// without <c>k3s</c> (homelab) runs on a cluster that already exists and composes nothing here.
/// </summary>
public static class ClusterComposer
{
    public const string SshKeySecret = "sshPrivateKey";
    public const string TokenSecret = "k3sToken";
    /// <summary>The stack output holding the cluster's admin kubeconfig (secret): <c>llmctl stack output kubeconfig --show-secrets</c>.</summary>
    public const string KubeconfigOutput = "kubeconfig";

    public static (Tailnet? Tailnet, K3sCluster? Cluster) Compose(StackContext ctx, StackConfig config, StackSecrets secrets)
    {
        var name = config.Cluster.Name;
        var tailnet = config.Tailnet is { } t ? new Tailnet(name, new TailnetArgs
        {
            NodeTag = t.NodeTag,
            TagOwners = t.TagOwners,
            Operators = t.Operators,
            KeyExpiry = TimeSpan.FromDays(t.KeyExpiryDays),
            VpnAuth = config.K3s?.Network == K3sNetwork.VpnAuth,
            PodCidr = t.PodCidr,
            OverwriteExistingPolicy = t.OverwriteExistingPolicy,
            ExtraAcls = [.. t.ExtraAcls.Select((r, i) => new TailnetAclRule(r.Src, r.Dst, Proto(r.Proto, ctx.ProjectName, i)))],
        }) : null;

        if (config.K3s is not { } k3s) return (tailnet, null);
        if (k3s.Network == K3sNetwork.VpnAuth && tailnet is null)
        {
            throw new StackCompositionException($"{ctx.ProjectName}:k3s.network",
                "vpnAuth joins nodes with the tailnet's key; add a 'tailnet:' section, or use network: flannel with Tailscale already on the nodes");
        }

        var sshKey = secrets.Require(ctx.ProjectName, SshKeySecret, "the k3s install commands (SSH to each node)");
        K3sNodeArgs Node(K3sNodeConfig n, string at) => new()
        {
            Name = n.Name,
            Host = n.Host,
            TailnetIp = n.TailnetIp,
            Ssh = new K3sSsh { User = k3s.SshUser, Port = n.SshPort, PrivateKey = sshKey, HostKey = n.HostKey },
            Labels = n.Labels,
            Taints = [.. n.Taints.Select((taint, i) => Taint(taint, $"{ctx.ProjectName}:k3s.{at}.taints[{i}]"))],
            DefaultRuntime = n.DefaultRuntime,
        };

        var cluster = new K3sCluster(name, new K3sClusterArgs
        {
            Version = k3s.Version,
            Network = k3s.Network == K3sNetwork.VpnAuth ? K3sNetworkMode.VpnAuth : K3sNetworkMode.FlannelOverTailscale,
            JoinKey = k3s.Network == K3sNetwork.VpnAuth ? tailnet!.JoinKey : null,
            Token = secrets.Get(TokenSecret),
            Server = Node(k3s.Server, "server"),
            Agents = [.. k3s.Agents.Select((a, i) => Node(a, $"agents[{i}]"))],
            ExtraTlsSans = k3s.ExtraTlsSans,
            InstallScriptUrl = k3s.InstallScriptUrl,
            ConfigDir = k3s.ConfigDir,
            BinDir = k3s.BinDir,
            UninstallOnDelete = k3s.UninstallOnDestroy,
        }, new ComponentResourceOptions { DependsOn = tailnet is null ? [] : [tailnet] });

        // Every Kubernetes object of the stack goes to this cluster: the provider's kubeconfig is the one read back
        // from the server (pointed at its tailnet name), and it waits for every node to have joined, so a from-scratch
        // `up` installs k3s and then everything else in one run. The kubernetes:* config keys are not used for it.
        var provider = new KubernetesProviderResource(name, new KubernetesProviderArgs { Kubeconfig = cluster.Kubeconfig },
            new CustomResourceOptions { DependsOn = [cluster] });
        ctx.UseProvider(provider);
        ctx.Export("apiServer", cluster.ServerUrl);
        ctx.Export(KubeconfigOutput, cluster.Kubeconfig);
        return (tailnet, cluster);
    }

    private static TailnetProto Proto(string text, string project, int index) => text.ToLowerInvariant() switch
    {
        "any" => TailnetProto.Any,
        "tcp" => TailnetProto.Tcp,
        "udp" => TailnetProto.Udp,
        _ => throw new StackCompositionException($"{project}:tailnet.extraAcls[{index}].proto", $"'{text}' is not one of any, tcp, udp"),
    };

    private static K3sTaint Taint(string text, string keyPath)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        var colon = text.LastIndexOf(':');
        if (eq <= 0 || colon <= eq || !Enum.TryParse<TaintEffect>(text[(colon + 1)..], ignoreCase: false, out var effect))
        {
            throw new StackCompositionException(keyPath, $"'{text}' is not a taint; write key=value:Effect with Effect NoSchedule, PreferNoSchedule or NoExecute");
        }
        return new K3sTaint(text[..eq], text[(eq + 1)..colon], effect);
    }
}
