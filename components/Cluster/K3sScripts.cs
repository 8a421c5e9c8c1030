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
    public const string DefaultConfigDir = "/etc/rancher/k3s";
    public const string DefaultBinDir = "/usr/local/bin";
    public const string ConfigDir = DefaultConfigDir;
    public const string TokenFile = ConfigDir + "/cluster-token";
    /// <summary>Holds <c>name=tailscale,joinKey=…</c>, the same text <c>--vpn-auth</c> takes.</summary>
    public const string VpnAuthFile = ConfigDir + "/vpn-auth";
    public const string KubeconfigPath = ConfigDir + "/k3s.yaml";

    /// <summary>The join token file of a cluster (under its <see cref="K3sClusterArgs.ConfigDir"/>).</summary>
    public static string TokenFileOf(K3sClusterArgs args) => args.ConfigDir + "/cluster-token";
    public static string VpnAuthFileOf(K3sClusterArgs args) => args.ConfigDir + "/vpn-auth";
    /// <summary>The admin kubeconfig the server writes (under its <see cref="K3sClusterArgs.ConfigDir"/>).</summary>
    public static string KubeconfigPathOf(K3sClusterArgs args) => args.ConfigDir + "/k3s.yaml";
    public const string TailscaleInterface = "tailscale0";
    public const int ApiServerPort = 6443;

    private const string Shell = "set -eu\nSUDO=''; [ \"$(id -u)\" -eq 0 ] || SUDO='sudo'\n";

    private static string Prelude(K3sClusterArgs args) => Shell + "$SUDO install -d -m 755 " + Quote(args.ConfigDir) + "\n";

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
        flags.AddRange(["--token-file", TokenFileOf(args), "--node-name", node.Name]);
        if (args.Network == K3sNetworkMode.FlannelOverTailscale)
        {
            flags.AddRange(["--node-ip", node.TailnetIp!, "--node-external-ip", node.TailnetIp!]);
        }
        if (server)
        {
            foreach (var san in new[] { node.Host }.Concat(args.ExtraTlsSans).Distinct(StringComparer.Ordinal)) flags.AddRange(["--tls-san", san]);
        }
        flags.AddRange(args.Network == K3sNetworkMode.VpnAuth
            ? ["--vpn-auth-file", VpnAuthFileOf(args)]
            : ["--flannel-iface", TailscaleInterface]);
        foreach (var (key, value) in node.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal)) flags.AddRange(["--node-label", $"{key}={value}"]);
        foreach (var taint in node.Taints) flags.AddRange(["--node-taint", taint.ToString()]);
        if (node.DefaultRuntime is { } runtime) flags.AddRange(["--default-runtime", runtime]);
        if (server && args.ConfigDir != DefaultConfigDir) flags.AddRange(["--write-kubeconfig", KubeconfigPathOf(args)]);
        return flags;
    }

    public static string ServerUrl(K3sClusterArgs args) => $"https://{args.Server.Host}:{ApiServerPort}";

    /// <summary>
    /// Writes the secrets from stdin (or generates the token on the server), then runs the pinned installer. Running
    /// it again is harmless (the installer converges the binary, unit and service), which is also how an upgrade works.
    /// </summary>
    public static string Install(K3sClusterArgs args, K3sNodeArgs node, bool server, bool tokenOnStdin)
    {
        var sb = new StringBuilder(Prelude(args));
        var tokenFile = TokenFileOf(args);
        if (tokenOnStdin)
        {
            sb.Append("IFS= read -r token\n");
            sb.Append(WriteFile(tokenFile, "'%s\\n' \"$token\""));
        }
        else
        {
            // Generated once, on the first install; every later run keeps it (agents joined with it).
            sb.Append($"if ! $SUDO test -s {tokenFile}; then\n");
            sb.Append($"  $SUDO install -m 600 /dev/null {tokenFile}\n");
            sb.Append($"  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n' | $SUDO tee {tokenFile} >/dev/null\n");
            sb.Append("fi\n");
        }
        if (args.Network == K3sNetworkMode.VpnAuth)
        {
            sb.Append("IFS= read -r joinkey\n");
            sb.Append(WriteFile(VpnAuthFileOf(args), "'name=tailscale,joinKey=%s\\n' \"$joinkey\""));
        }
        var binDir = args.BinDir == DefaultBinDir ? "" : $" INSTALL_K3S_BIN_DIR={Quote(args.BinDir)}";
        sb.Append($"curl -sfL {Quote(args.InstallScriptUrl)} | $SUDO env INSTALL_K3S_VERSION={Quote(args.Version)}{binDir} sh -s - ");
        sb.Append(string.Join(' ', Flags(args, node, server).Select(Quote)));
        sb.Append('\n');
        if (server)
        {
            // Agents join only once the API server answers.
            var k3s = args.BinDir == DefaultBinDir ? "k3s" : Quote(args.BinDir + "/k3s");
            sb.Append("i=0; until $SUDO " + k3s + " kubectl get --raw=/readyz >/dev/null 2>&1; do i=$((i+1)); [ $i -lt 60 ] || { echo 'k3s API server not ready after 5 minutes' >&2; exit 1; }; sleep 5; done\n");
        }
        return sb.ToString();
    }

    public static string Uninstall(bool server, string binDir = DefaultBinDir) =>
        Shell + $"$SUDO {Quote(binDir + (server ? "/k3s-uninstall.sh" : "/k3s-agent-uninstall.sh"))}\n";

    public static string ReadFile(string path) => Shell + $"$SUDO cat {Quote(path)}\n";

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
