using System.Text.Json.Nodes;
using k8s;
using Llmctl.Engine.Model;
using Llmctl.Infra.Cli;
using Llmctl.Testing;
using Llmctl.Testing.Kubernetes;

namespace Llmctl.Infra.Tests;

/// <summary>
/// Seed 000 from bare machines in one <c>up</c>: two "nodes" are real OpenSSH servers on 127.0.0.1, the k3s
/// installer is a stand-in (served to the real install command as a <c>file://</c> URL) that records its flags, installs a
/// fake <c>k3s</c> and its uninstall scripts, registers its Node with the fake API server and — on the server — writes
/// an admin kubeconfig pointing at that fake API server. The fleet stack (the sample, with the test's nodes, no
/// tailnet API) installs k3s, reads the kubeconfig back, and applies every object through the provider it feeds.
/// </summary>
public sealed class FleetEndToEndTests : IAsyncDisposable
{
    private const string Passphrase = "llmctl-sample";
    private readonly string _root = Directory.CreateTempSubdirectory("llmctl-fleet-nodes-").FullName;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task One_up_installs_k3s_then_applies_every_object_a_second_changes_nothing_and_destroy_removes_objects_before_uninstalling()
    {
        await using var nodeA = new SshServer();
        await using var nodeB = new SshServer();
        await nodeA.InitializeAsync();
        nodeA.Require();
        await nodeB.InitializeAsync();
        if (Environment.UserName != "root") Assert.Skip("the k3s install commands run as root on the nodes (else through sudo, which the test cannot answer): run as root, as CI does");
        if (!File.Exists("/usr/bin/curl") && !File.Exists("/bin/curl")) Assert.Skip("curl is not installed: the nodes fetch the k3s installer with it (as get.k3s.io is fetched)");
        await using var api = await FakeKubernetesServer.StartAsync();
        // Charts take a moment to install, as on a real cluster: an object that does not wait for its chart gets a 404.
        api.AutoReadyAll(TimeSpan.FromMilliseconds(300));
        // What the fleet's charts install through k3s's helm-controller (which the fake API server does not run): the
        // CRDs of cert-manager and kube-prometheus-stack appear when each chart's helm-install Job completes, and the
        // release namespaces with them (createNamespace), so an object applied before its chart is installed gets the
        // real API server's 404 — the order a real cluster needs.
        api.ChartInstalls("cert-manager", Crd("cert-manager.io", "ClusterIssuer", "clusterissuers", "Cluster"));
        api.ChartInstalls("kube-prometheus-stack",
            Crd("monitoring.coreos.com", "ServiceMonitor", "servicemonitors", "Namespaced"),
            Crd("monitoring.coreos.com", "PrometheusRule", "prometheusrules", "Namespaced"));

        var (configDir, binDir, logs) = (Dir("etc-rancher-k3s"), Dir("bin"), Dir("logs"));
        var kubeconfigSource = Path.Combine(_root, "admin-kubeconfig.yaml");
        await File.WriteAllTextAsync(kubeconfigSource, Kubeconfigs.For(api.Url, "default"), Ct);
        var installer = Path.Combine(_root, "install.sh");
        await File.WriteAllTextAsync(installer, StandInInstaller(logs, kubeconfigSource, api.Url), Ct);

        using var cli = new CliHarness { RealProviders = true };
        cli.Env("PULUMI_CONFIG_PASSPHRASE", Passphrase).Env("LLMCTL_CHART_CACHE", Dir("chart-cache"));
        File.Copy(RepoFiles.Path("charts.lock.yaml"), Path.Combine(cli.Directory, "charts.lock.yaml"));
        await File.WriteAllTextAsync(Path.Combine(cli.Directory, "Pulumi.fleet.yaml"),
            TestFleet(File.ReadAllText(RepoFiles.Path("Pulumi.fleet.yaml")), nodeA, nodeB, configDir, binDir, installer), Ct);
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("config", "set", "--secret", "sshPrivateKey", nodeA.PrivateKey, "-s", "fleet"));
        File.AppendAllText(Path.Combine(nodeB.Dir, "authorized_keys"), File.ReadAllText(Path.Combine(nodeA.Dir, "id_ed25519.pub")));

        // A preview on fresh state: the objects wait on the cluster's provider, and nothing is read from a cluster
        // that does not exist yet (and nothing runs on the nodes).
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "-s", "fleet", "--diff"));
        Assert.Contains("pulumi:providers:kubernetes", cli.Out);
        Assert.Contains("kubeconfig: [known after apply]", cli.Out);
        Assert.Contains("waits for provider fleet", cli.Out);
        Assert.Contains("[provider=urn:pulumi:fleet::llm-platform::pulumi:providers:kubernetes::fleet::[known after apply]]", cli.Out);
        Assert.Empty(api.Requests);
        Assert.Empty(Directory.GetFiles(logs));

        // One up: k3s on both nodes, the kubeconfig read back, every object applied to the cluster it points at.
        var code = await cli.RunAsync("up", "--yes", "-s", "fleet");
        Assert.True(code == ExitCodes.Ok, $"up exited {code}\n{cli.Out}\n{cli.Err}");
        var serverLog = File.ReadAllText(Path.Combine(logs, "install-node-a.log"));
        Assert.Contains("INSTALL_K3S_VERSION=v1.35.5+k3s1", serverLog);
        Assert.Contains($"server --cluster-init --token-file {configDir}/cluster-token --node-name node-a --node-ip 100.64.0.1 --node-external-ip 100.64.0.1 --tls-san 127.0.0.1 --flannel-iface tailscale0", serverLog);
        Assert.Contains($"--write-kubeconfig {configDir}/k3s.yaml", serverLog);
        var agentLog = File.ReadAllText(Path.Combine(logs, "install-node-b.log"));
        Assert.Contains("agent --server https://127.0.0.1:6443", agentLog);
        Assert.Contains("--node-name node-b --node-ip 100.64.0.2", agentLog);

        var checkpoint = cli.FleetCheckpoint();
        var provider = checkpoint.Single(r => r["type"]!.GetValue<string>() == "pulumi:providers:kubernetes");
        Assert.EndsWith("::fleet", provider["urn"]!.GetValue<string>());
        var reference = $"{provider["urn"]!.GetValue<string>()}::{provider["id"]!.GetValue<string>()}";
        var objects = checkpoint.Where(r => r["type"]!.GetValue<string>().StartsWith("kubernetes:", StringComparison.Ordinal)).ToList();
        var kinds = objects.Select(o => o["type"]!.GetValue<string>().Split(':')[2]).ToHashSet();
        Assert.Superset(new HashSet<string> { "Namespace", "Secret", "ConfigMap", "HelmChart", "NodePatch", "ClusterIssuer", "PrometheusRule", "ServiceMonitor" }, kinds);
        Assert.All(objects, o => Assert.Equal(reference, o["provider"]?.GetValue<string>()));
        Assert.DoesNotContain(checkpoint, r => r["type"]!.GetValue<string>() == "pulumi:providers:kubernetes" && r["urn"]!.GetValue<string>().EndsWith("::default"));
        var applied = objects.Where(o => !o["type"]!.GetValue<string>().EndsWith("Patch", StringComparison.Ordinal)).Select(Identify).ToList();
        foreach (var (kind, ns, name) in applied) Assert.True(api.Get(kind, ns, name) is not null, $"{kind} {ns}/{name} is not on the cluster");
        Assert.Equal("inference", api.Get("Node", null, "node-b")!["metadata"]!["labels"]!["workload.ai/profile"]!.GetValue<string>());
        Assert.DoesNotContain(nodeA.PrivateKey.Trim().Split('\n')[1], File.ReadAllText(cli.FleetCheckpointPath));

        // The kubeconfig output works: it reaches the cluster and sees what the run created.
        code = await cli.RunAsync("stack", "output", "kubeconfig", "--show-secrets", "-s", "fleet");
        Assert.True(code == ExitCodes.Ok, $"stack output exited {code}\n{cli.Out}\n{cli.Err}");
        var kubeconfig = cli.Out.Trim();
        Assert.Contains($"server: {api.Url}", kubeconfig);
        using (var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(kubeconfig)))))
        {
            var namespaces = await client.CoreV1.ListNamespaceAsync(cancellationToken: Ct);
            Assert.Contains(namespaces.Items, n => n.Metadata.Name == "ollama");
        }
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("stack", "output", "kubeconfig", "-s", "fleet"));
        Assert.DoesNotContain("fake-token", cli.Out);

        // A second up changes nothing, on the nodes or the cluster.
        var writes = api.Requests.Count(r => r.Method is "PATCH" or "POST" or "PUT" or "DELETE");
        code = await cli.RunAsync("preview", "-s", "fleet", "--expect-no-changes");
        Assert.True(code == ExitCodes.Ok, $"preview exited {code}\n{cli.Out}\n{cli.Err}");
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("up", "--yes", "-s", "fleet"));
        Assert.Equal(writes, api.Requests.Count(r => r.Method is "PATCH" or "POST" or "PUT" or "DELETE"));
        Assert.Equal(serverLog, File.ReadAllText(Path.Combine(logs, "install-node-a.log")));

        // Destroy: the objects go first (while the cluster still answers), then k3s is uninstalled, agent before server.
        code = await cli.RunAsync("destroy", "--yes", "-s", "fleet");
        Assert.True(code == ExitCodes.Ok, $"destroy exited {code}\n{cli.Out}\n{cli.Err}");
        Assert.True(File.Exists(Path.Combine(logs, "uninstall-node-a.log")), "k3s was not uninstalled from the server");
        Assert.True(File.Exists(Path.Combine(logs, "uninstall-node-b.log")), "k3s was not uninstalled from the agent");
        foreach (var node in new[] { "node-a", "node-b" })
        {
            // What the cluster held when the uninstall script ran.
            var left = JsonNode.Parse(File.ReadAllText(Path.Combine(logs, $"objects-at-uninstall-{node}.json")))!.AsArray();
            var remaining = applied.Where(a => left.Any(o => Identify(o!) == a)).ToList();
            Assert.True(remaining.Count == 0, $"still on the cluster when k3s was uninstalled from {node}: {string.Join(", ", remaining)}");
        }
        Assert.Empty(cli.FleetCheckpoint());
    }

    private static (string Kind, string? Namespace, string Name) Identify(JsonNode o)
    {
        var obj = o["outputs"] ?? o;
        var value = Engine.Model.PropertyValues.Unwrap(obj)!;
        return (value["kind"]!.GetValue<string>(), value["metadata"]?["namespace"]?.GetValue<string>(), value["metadata"]!["name"]!.GetValue<string>());
    }

    private static JsonObject Crd(string group, string kind, string plural, string scope) => new()
    {
        ["apiVersion"] = "apiextensions.k8s.io/v1",
        ["kind"] = "CustomResourceDefinition",
        ["metadata"] = new JsonObject { ["name"] = $"{plural}.{group}" },
        ["spec"] = new JsonObject
        {
            ["group"] = group,
            ["scope"] = scope,
            ["names"] = new JsonObject { ["kind"] = kind, ["plural"] = plural, ["singular"] = kind.ToLowerInvariant(), ["listKind"] = kind + "List" },
            ["versions"] = new JsonArray(new JsonObject
            {
                ["name"] = "v1", ["served"] = true, ["storage"] = true,
                ["schema"] = new JsonObject { ["openAPIV3Schema"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true } },
            }),
        },
    };

    private string Dir(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

    /// <summary>
    /// The stand-in for get.k3s.io, run as the real install command runs it (<c>curl … | env INSTALL_K3S_VERSION=… sh -s - server …</c>).
    /// </summary>
    private static string StandInInstaller(string logs, string kubeconfigSource, string apiUrl) => $$$$"""
        #!/bin/sh
        # Stand-in for the k3s installer: records how it was run, installs a fake k3s and its uninstall scripts, writes
        # the admin kubeconfig (server) and registers the node, as k3s does when it starts.
        set -eu
        role=$1; name=''; kubeconfig=''; prev=''
        for a in "$@"; do
          case "$prev" in --node-name) name=$a ;; --write-kubeconfig) kubeconfig=$a ;; esac
          prev=$a
        done
        log={{{{logs}}}}/install-$name.log
        printf 'INSTALL_K3S_VERSION=%s INSTALL_K3S_BIN_DIR=%s\n%s\n' "${INSTALL_K3S_VERSION:-}" "${INSTALL_K3S_BIN_DIR:-}" "$*" >> "$log"
        bin=${INSTALL_K3S_BIN_DIR:-/usr/local/bin}
        mkdir -p "$bin"
        printf '#!/bin/sh\nexit 0\n' > "$bin/k3s"
        chmod +x "$bin/k3s"
        if [ "$role" = server ]; then
          cp {{{{kubeconfigSource}}}} "$kubeconfig"
          uninstall=k3s-uninstall.sh
        else
          uninstall=k3s-agent-uninstall.sh
        fi
        printf '#!/bin/sh\nset -eu\ncurl -sf {{{{apiUrl}}}}/_fake/objects > {{{{logs}}}}/objects-at-uninstall-%s.json\necho uninstalled > {{{{logs}}}}/uninstall-%s.log\n' "$name" "$name" > "$bin/$uninstall"
        chmod +x "$bin/$uninstall"
        curl -sf -X POST -H 'Content-Type: application/json' \
          --data "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"$name\",\"labels\":{\"kubernetes.io/hostname\":\"$name\"}}}" \
          {{{{apiUrl}}}}/api/v1/nodes >/dev/null

        """;

    /// <summary>The sample fleet with the test's two nodes and without the tailnet (its API is not reachable here).</summary>
    private static string TestFleet(string sample, SshServer a, SshServer b, string configDir, string binDir, string installer)
    {
        var tailnet = sample.IndexOf("  llm-platform:tailnet:\n", StringComparison.Ordinal);
        var k3s = sample.IndexOf("  llm-platform:k3s:\n", StringComparison.Ordinal);
        var gpuNodes = sample.IndexOf("  llm-platform:gpuNodes:\n", StringComparison.Ordinal);
        Assert.True(tailnet > 0 && k3s > tailnet && gpuNodes > k3s, "the sample's sections moved");
        var nodes = $"""
              llm-platform:k3s:
                version: v1.35.5+k3s1
                network: flannel
                sshUser: {a.User}
                installScriptUrl: file://{installer}
                configDir: {configDir}
                binDir: {binDir}
                uninstallOnDestroy: true
                server:
                  name: node-a
                  host: 127.0.0.1
                  sshPort: {a.Port}
                  tailnetIp: 100.64.0.1
                  hostKey: {a.HostFingerprint}
                agents:
                  - name: node-b
                    host: 127.0.0.1
                    sshPort: {b.Port}
                    tailnetIp: 100.64.0.2
                    hostKey: {b.HostFingerprint}

            """;
        return sample[..tailnet] + nodes + sample[gpuNodes..];
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        return ValueTask.CompletedTask;
    }
}
