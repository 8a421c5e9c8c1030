using System.Net;
using System.Text.RegularExpressions;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;
using Llmctl.Components.Command;

namespace Llmctl.Components.Cluster;

/// <summary>
/// A k3s cluster over Tailscale, installed by remote commands over SSH: the server first, then each agent (which
/// depends on it). Every node runs the same pinned k3s version; changing it changes the install commands, which the
/// engine runs again as an in-place update (server first), not a replacement. The admin kubeconfig is read back from
/// the server as a secret output and pointed at the server's tailnet name.
/// </summary>
public sealed partial class K3sCluster : ComponentResource
{
    public const string TypeToken = "llmctl:cluster:K3sCluster";

    public K3sCluster(string name, K3sClusterArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        Args = args;
        ComponentArgumentException.ThrowIfAny(this, Validate(args));

        var tokenGiven = args.Token is not null;
        Server = new RemoteCommand($"{name}-server-{args.Server.Name}", InstallArgs(args, args.Server, server: true, args.Token),
            new CustomResourceOptions { Parent = this });

        if (tokenGiven)
        {
            Token = args.Token!.AsSecret();
        }
        else
        {
            TokenReader = new RemoteCommand($"{name}-token", new RemoteCommandArgs
            {
                Connection = ConnectionTo(args.Server),
                Create = K3sScripts.ReadFile(K3sScripts.TokenFileOf(args)),
                Logging = CommandLogging.None,
            }, new CustomResourceOptions { Parent = this, DependsOn = [Server], AdditionalSecretOutputs = ["stdout", "stderr"] });
            Token = TokenReader.Stdout.Apply(s => s.Trim()).AsSecret();
        }

        var joinDependencies = TokenReader is null ? new Resource[] { Server } : [Server, TokenReader];
        Agents = [.. args.Agents.Select(agent => new RemoteCommand($"{name}-agent-{agent.Name}",
            InstallArgs(args, agent, server: false, Token),
            new CustomResourceOptions { Parent = this, DependsOn = joinDependencies }))];

        KubeconfigReader = new RemoteCommand($"{name}-kubeconfig", new RemoteCommandArgs
        {
            Connection = ConnectionTo(args.Server),
            Create = K3sScripts.ReadFile(K3sScripts.KubeconfigPathOf(args)),
            Logging = CommandLogging.None,
        }, new CustomResourceOptions { Parent = this, DependsOn = [Server], AdditionalSecretOutputs = ["stdout", "stderr"] });
        var serverHost = args.Server.Host;
        Kubeconfig = KubeconfigReader.Stdout.Apply(yaml => K3sScripts.RewriteKubeconfig(yaml, serverHost)).AsSecret();

        // Plain values only: an output read from a child would make this component depend on its own child.
        RegisterOutputs(new Dictionary<string, object?>
        {
            ["version"] = args.Version,
            ["serverUrl"] = ServerUrl,
            ["nodes"] = new[] { args.Server.Name }.Concat(args.Agents.Select(a => a.Name)).ToArray(),
        });
    }

    public K3sClusterArgs Args { get; }
    /// <summary>Installs the server.</summary>
    public RemoteCommand Server { get; }
    /// <summary>Install each agent, in <see cref="K3sClusterArgs.Agents"/> order.</summary>
    public IReadOnlyList<RemoteCommand> Agents { get; }
    /// <summary>Reads the generated token back from the server; null when the token came from config.</summary>
    public RemoteCommand? TokenReader { get; }
    public RemoteCommand KubeconfigReader { get; }
    /// <summary>The cluster join token; secret.</summary>
    public Output<string> Token { get; }
    /// <summary>The admin kubeconfig, its server the tailnet name (<c>https://node-a:6443</c>); secret.</summary>
    public Output<string> Kubeconfig { get; }
    public string ServerUrl => K3sScripts.ServerUrl(Args);

    private static RemoteCommandArgs InstallArgs(K3sClusterArgs args, K3sNodeArgs node, bool server, Output<string>? token)
    {
        var tokenOnStdin = token is not null;
        var install = K3sScripts.Install(args, node, server, tokenOnStdin);
        Output<string>? stdin = (tokenOnStdin, args.Network == K3sNetworkMode.VpnAuth) switch
        {
            (true, true) => Output.Tuple(token!, args.JoinKey!).Apply(t => $"{t.Item1.Trim()}\n{t.Item2.Trim()}\n"),
            (true, false) => token!.Apply(t => $"{t.Trim()}\n"),
            (false, true) => args.JoinKey!.Apply(k => $"{k.Trim()}\n"),
            _ => null,
        };
        return new RemoteCommandArgs
        {
            Connection = ConnectionTo(node),
            // The version is in the script text, not in the triggers: triggers replace (pulumi/pulumi-command#855),
            // a changed update script runs in place.
            Create = install,
            Update = install,
            Delete = args.UninstallOnDelete ? Output.Create(K3sScripts.Uninstall(server, args.BinDir)) : null,
            Stdin = stdin?.AsSecret(),
        };
    }

    private static Connection ConnectionTo(K3sNodeArgs node) => new()
    {
        Host = node.Host,
        User = node.Ssh.User,
        Port = node.Ssh.Port,
        PrivateKey = node.Ssh.PrivateKey?.AsSecret(),
        HostKey = node.Ssh.HostKey,
        TrustOnFirstUse = node.Ssh.TrustOnFirstUse,
        KnownHostsPath = node.Ssh.KnownHostsPath,
        // Nodes may still be coming up on the tailnet.
        DialErrorLimit = 30,
    };

    private static List<ArgumentProblem> Validate(K3sClusterArgs args)
    {
        var problems = new List<ArgumentProblem>();
        if (!K3sVersion().IsMatch(args.Version ?? ""))
        {
            problems.Add(new ArgumentProblem("version", $"'{args.Version}' is not an exact k3s release; pin one such as 'v1.35.5+k3s1' (channels like 'stable' move by themselves)"));
        }
        if (!Uri.TryCreate(args.InstallScriptUrl, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "file"))
        {
            problems.Add(new ArgumentProblem("installScriptUrl", $"'{args.InstallScriptUrl}' is not an https URL (or a file:// path on the nodes, for air-gapped installs)"));
        }
        foreach (var (key, dir) in new[] { ("configDir", args.ConfigDir), ("binDir", args.BinDir) })
        {
            if (string.IsNullOrEmpty(dir) || !dir.StartsWith('/') || dir.Length > 1 && dir.EndsWith('/'))
            {
                problems.Add(new ArgumentProblem(key, $"'{dir}' is not an absolute path on the nodes (no trailing slash)"));
            }
        }
        if (args.Network == K3sNetworkMode.VpnAuth && args.JoinKey is null)
        {
            problems.Add(new ArgumentProblem("joinKey", "vpn-auth needs the Tailscale join key (a Tailnet's JoinKey)"));
        }
        if (args.Network == K3sNetworkMode.FlannelOverTailscale && args.JoinKey is not null)
        {
            problems.Add(new ArgumentProblem("joinKey", "is only used with network VpnAuth; with FlannelOverTailscale the nodes are already on the tailnet"));
        }
        foreach (var san in args.ExtraTlsSans.Where(s => !HostName().IsMatch(s) && !IPAddress.TryParse(s, out _)))
        {
            problems.Add(new ArgumentProblem("extraTlsSans", $"'{san}' is neither a host name nor an IP address"));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var nodes = new[] { ("server", args.Server) }.Concat(args.Agents.Select((a, i) => ($"agents[{i}]", a)));
        foreach (var (at, node) in nodes)
        {
            if (node is null)
            {
                problems.Add(new ArgumentProblem(at, "is required"));
                continue;
            }
            if (KubernetesNames.Dns1123LabelProblem(node.Name) is { } nameProblem) problems.Add(new ArgumentProblem($"{at}.name", nameProblem));
            else if (!names.Add(node.Name)) problems.Add(new ArgumentProblem($"{at}.name", $"node '{node.Name}' is declared twice; node names are unique in a cluster"));
            if (!HostName().IsMatch(node.Host ?? "")) problems.Add(new ArgumentProblem($"{at}.host", $"'{node.Host}' is not a host name; use the node's tailnet (MagicDNS) name"));
            if (args.Network == K3sNetworkMode.FlannelOverTailscale)
            {
                if (node.TailnetIp is null || !IPAddress.TryParse(node.TailnetIp, out _))
                {
                    problems.Add(new ArgumentProblem($"{at}.tailnetIp", node.TailnetIp is null
                        ? "flannel over Tailscale needs the node's tailnet address (100.x.y.z, from 'tailscale ip -4'); k3s takes --node-ip and --node-external-ip as addresses"
                        : $"'{node.TailnetIp}' is not an IP address"));
                }
            }
            if (node.Ssh.PrivateKey is null) problems.Add(new ArgumentProblem($"{at}.ssh.privateKey", "the remote commands log in with a private key; set it from secret config"));
            if (node.Ssh.HostKey is null && !node.Ssh.TrustOnFirstUse && node.Ssh.KnownHostsPath is null)
            {
                problems.Add(new ArgumentProblem($"{at}.ssh.hostKey", "pin the host key (ssh-keyscan), name a known_hosts file, or opt in to trustOnFirstUse"));
            }
            foreach (var (key, value) in node.Labels)
            {
                if (NodeLabelRules.KeyProblem(key) is { } k) problems.Add(new ArgumentProblem($"{at}.labels.{key}", k));
                if (NodeLabelRules.ValueProblem(value) is { } v) problems.Add(new ArgumentProblem($"{at}.labels.{key}", v));
            }
            foreach (var taint in node.Taints)
            {
                if (NodeLabelRules.KeyProblem(taint.Key) is { } k) problems.Add(new ArgumentProblem($"{at}.taints.{taint.Key}", k));
                if (NodeLabelRules.ValueProblem(taint.Value) is { } v) problems.Add(new ArgumentProblem($"{at}.taints.{taint.Key}", v));
            }
            if (node.DefaultRuntime is { } runtime && KubernetesNames.Dns1123LabelProblem(runtime) is { } r)
            {
                problems.Add(new ArgumentProblem($"{at}.defaultRuntime", r));
            }
        }
        return problems;
    }

    [GeneratedRegex(@"^v\d+\.\d+\.\d+\+k3s\d+$")]
    private static partial Regex K3sVersion();

    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex HostName();
}
