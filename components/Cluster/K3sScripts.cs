using System.Text;
using System.Text.RegularExpressions;

namespace Llmctl.Components.Cluster;

/// <summary>
/// The shell scripts the cluster's remote commands run. Secrets never appear in them: the token and the vpn-auth
/// join key arrive on standard input, are written to 0600 files by shell builtins, and k3s reads them with
/// <c>--token-file</c> / <c>--vpn-auth-file</c>, so neither shows in <c>ps</c>, in the systemd unit or in the state.
/// </summary>
public static partial class K3sScripts
{
    public const string ConfigDir = "/etc/rancher/k3s";
    public const string TokenFile = ConfigDir + "/cluster-token";
    /// <summary>Holds <c>name=tailscale,joinKey=…</c>, the same text <c>--vpn-auth</c> takes.</summary>
    public const string VpnAuthFile = ConfigDir + "/vpn-auth";
    public const string KubeconfigPath = ConfigDir + "/k3s.yaml";
    public const string TailscaleInterface = "tailscale0";
    public const int ApiServerPort = 6443;

    private const string Prelude = "set -eu\nSUDO=''; [ \"$(id -u)\" -eq 0 ] || SUDO='sudo'\n$SUDO install -d -m 755 " + ConfigDir + "\n";

    /// <summary>The k3s command line (<c>server …</c> or <c>agent …</c>) for one node; no secrets in it.</summary>
    public static IReadOnlyList<string> Flags(K3sClusterArgs args, K3sNodeArgs node, bool server)
    {
        var flags = new List<string>();
        if (server)
        {
            flags.Add("server");
            flags.Add("--cluster-init");
        }
        else
        {
            flags.Add("agent");
            flags.AddRange(["--server", ServerUrl(args)]);
        }
        flags.AddRange(["--token-file", TokenFile, "--node-name", node.Name]);
        if (args.Network == K3sNetworkMode.FlannelOverTailscale)
        {
            flags.AddRange(["--node-ip", node.TailnetIp!, "--node-external-ip", node.TailnetIp!]);
        }
        if (server)
        {
            foreach (var san in new[] { node.Host }.Concat(args.ExtraTlsSans).Distinct(StringComparer.Ordinal)) flags.AddRange(["--tls-san", san]);
        }
        flags.AddRange(args.Network == K3sNetworkMode.VpnAuth
            ? ["--vpn-auth-file", VpnAuthFile]
            : ["--flannel-iface", TailscaleInterface]);
        foreach (var (key, value) in node.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal)) flags.AddRange(["--node-label", $"{key}={value}"]);
        foreach (var taint in node.Taints) flags.AddRange(["--node-taint", taint.ToString()]);
        if (node.DefaultRuntime is { } runtime) flags.AddRange(["--default-runtime", runtime]);
        return flags;
    }

    public static string ServerUrl(K3sClusterArgs args) => $"https://{args.Server.Host}:{ApiServerPort}";

    /// <summary>
    /// Writes the secrets from stdin (or generates the token on the server), then runs the pinned installer. Running
    /// it again is harmless (the installer converges the binary, unit and service), which is also how an upgrade works.
    /// </summary>
    public static string Install(K3sClusterArgs args, K3sNodeArgs node, bool server, bool tokenOnStdin)
    {
        var sb = new StringBuilder(Prelude);
        if (tokenOnStdin)
        {
            sb.Append("IFS= read -r token\n");
            sb.Append(WriteFile(TokenFile, "'%s\\n' \"$token\""));
        }
        else
        {
            // Generated once, on the first install; every later run keeps it (agents joined with it).
            sb.Append($"if ! $SUDO test -s {TokenFile}; then\n");
            sb.Append($"  $SUDO install -m 600 /dev/null {TokenFile}\n");
            sb.Append($"  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n' | $SUDO tee {TokenFile} >/dev/null\n");
            sb.Append("fi\n");
        }
        if (args.Network == K3sNetworkMode.VpnAuth)
        {
            sb.Append("IFS= read -r joinkey\n");
            sb.Append(WriteFile(VpnAuthFile, "'name=tailscale,joinKey=%s\\n' \"$joinkey\""));
        }
        sb.Append($"curl -sfL {Quote(args.InstallScriptUrl)} | $SUDO env INSTALL_K3S_VERSION={Quote(args.Version)} sh -s - ");
        sb.Append(string.Join(' ', Flags(args, node, server).Select(Quote)));
        sb.Append('\n');
        if (server)
        {
            // Agents join only once the API server answers.
            sb.Append("i=0; until $SUDO k3s kubectl get --raw=/readyz >/dev/null 2>&1; do i=$((i+1)); [ $i -lt 60 ] || { echo 'k3s API server not ready after 5 minutes' >&2; exit 1; }; sleep 5; done\n");
        }
        return sb.ToString();
    }

    public static string Uninstall(bool server) =>
        "set -eu\nSUDO=''; [ \"$(id -u)\" -eq 0 ] || SUDO='sudo'\n" + (server ? "$SUDO /usr/local/bin/k3s-uninstall.sh\n" : "$SUDO /usr/local/bin/k3s-agent-uninstall.sh\n");

    public static string ReadFile(string path) => $"set -eu\nSUDO=''; [ \"$(id -u)\" -eq 0 ] || SUDO='sudo'\n$SUDO cat {path}\n";

    /// <summary>Points a fetched kubeconfig at the server's tailnet name instead of 127.0.0.1.</summary>
    public static string RewriteKubeconfig(string kubeconfig, string serverHost) =>
        LoopbackServer().Replace(kubeconfig, $"server: https://{serverHost}:{ApiServerPort}");

    /// <summary>A word for <c>sh</c>: as it is when it holds only safe characters, single-quoted otherwise.</summary>
    public static string Quote(string word) =>
        SafeWord().IsMatch(word) ? word : "'" + word.Replace("'", "'\"'\"'", StringComparison.Ordinal) + "'";

    // printf is a shell builtin: the secret never becomes a process argument.
    private static string WriteFile(string path, string printfArgs) =>
        $"$SUDO install -m 600 /dev/null {path}\nprintf {printfArgs} | $SUDO tee {path} >/dev/null\n";

    [GeneratedRegex(@"^[A-Za-z0-9_./:=,+@%-]+$")]
    private static partial Regex SafeWord();

    [GeneratedRegex(@"server: https://(127\.0\.0\.1|\[::1\]|localhost):6443")]
    private static partial Regex LoopbackServer();
}
