using System.Diagnostics;
using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Providers.Kubernetes;

namespace Llmctl.Infra.Tests.Hosted;

/// <summary>
/// The real <c>kubectl</c> (v1.33, <c>/usr/local/bin/kubectl</c>, installed by <c>.ci/install-kube-tools.sh</c>)
/// pointed at the hosted fake: it discovers, lists and server-side-applies, and the fake records kubectl's apply
/// exactly as it records llmctl's apply of the same object.
/// </summary>
public sealed class KubectlFidelityTests : IDisposable
{
    private const string Kubectl = "/usr/local/bin/kubectl";
    private readonly string _root = Directory.CreateTempSubdirectory("llmctl-kubectl-").FullName;
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static JsonObject Deployment(int replicas) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "default", ["labels"] = new JsonObject { ["app"] = "web" } },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "web" } },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "web" } },
                ["spec"] = new JsonObject
                {
                    ["containers"] = new JsonArray(new JsonObject
                    {
                        ["name"] = "main",
                        ["image"] = "nginx:1.27",
                        ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 80, ["name"] = "http" }),
                        ["env"] = new JsonArray(new JsonObject { ["name"] = "MODE", ["value"] = "fast" }),
                    }),
                },
            },
        },
    };

    private async Task<(int Code, string Out, string Err)> KubectlAsync(string kubeconfig, params string[] args)
    {
        var start = new ProcessStartInfo(Kubectl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["KUBECONFIG"] = kubeconfig;
        start.Environment["HOME"] = _root; // its discovery cache goes here, not into the user's ~/.kube
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(_ct);
        var error = process.StandardError.ReadToEndAsync(_ct);
        await process.WaitForExitAsync(_ct);
        return (process.ExitCode, await output, await error);
    }

    private static JsonObject EntryOf(JsonObject obj, string manager)
    {
        var entry = (JsonObject)obj["metadata"]!["managedFields"]!.AsArray().Single(f => f!["manager"]!.GetValue<string>() == manager)!.DeepClone();
        entry.Remove("time");
        entry.Remove("manager");
        return entry;
    }

    [Fact]
    public async Task Kubectl_lists_and_server_side_applies_and_its_managed_fields_equal_llmctls_for_the_same_object()
    {
        if (!File.Exists(Kubectl)) Assert.Skip($"kubectl is not installed at {Kubectl} (.ci/install-kube-tools.sh installs v1.33.9)");
        await using var server = await FakeApiServerProcess.StartAsync(Path.Combine(_root, "server"), _ct);

        var version = await KubectlAsync(server.Kubeconfig, "version", "-o", "json");
        Assert.True(version.Code == 0, version.Err);
        Assert.Equal("v1.33.0+k3s1", JsonNode.Parse(version.Out)!["serverVersion"]!["gitVersion"]!.GetValue<string>());

        var nodes = await KubectlAsync(server.Kubeconfig, "get", "nodes", "-o", "name");
        Assert.True(nodes.Code == 0, nodes.Err);
        Assert.Equal("node/gpu-worker", nodes.Out.Trim());
        var table = await KubectlAsync(server.Kubeconfig, "get", "namespaces");
        Assert.True(table.Code == 0, table.Err);
        Assert.Contains("monitoring", table.Out);
        // A kind served through a CustomResourceDefinition is discovered too.
        var crs = await KubectlAsync(server.Kubeconfig, "get", "servicemonitors", "-A", "-o", "name");
        Assert.True(crs.Code == 0, crs.Err);

        // kubectl applies first, as field manager "kubectl"; then llmctl applies the same object.
        var file = Path.Combine(_root, "web.json");
        await File.WriteAllTextAsync(file, Deployment(2).ToJsonString(), _ct);
        var applied = await KubectlAsync(server.Kubeconfig, "apply", "--server-side", "-f", file);
        Assert.True(applied.Code == 0, applied.Err);
        Assert.Contains("deployment.apps/web serverside-applied", applied.Out);

        var provider = new KubernetesProvider(new KubernetesProviderOptions { Kubeconfig = server.Kubeconfig, PollInterval = TimeSpan.FromMilliseconds(20) });
        await provider.CreateAsync(Urn.Create("dev", "proj", null, "kubernetes:apps/v1:Deployment", "web"), "kubernetes:apps/v1:Deployment",
            Deployment(2), TimeSpan.FromMinutes(1), _ct);

        var got = await KubectlAsync(server.Kubeconfig, "get", "deploy", "web", "-n", "default", "-o", "json", "--show-managed-fields");
        Assert.True(got.Code == 0, got.Err);
        var live = JsonNode.Parse(got.Out)!.AsObject();
        var byKubectl = EntryOf(live, "kubectl");
        var byLlmctl = EntryOf(live, "llmctl");
        Assert.Equal("Apply", byKubectl["operation"]!.GetValue<string>());
        Assert.Equal(byKubectl.ToJsonString(), byLlmctl.ToJsonString());

        // What a real API server records for this apply (structured-merge-diff over the apps/v1 schema): the selector
        // is atomic (LabelSelector), containers, env and ports are keyed lists whose items are owned one by one — a
        // port's key carries its defaulted protocol — and each item is owned itself (".") beside its fields.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"f:metadata": {"f:labels": {"f:app": {}}},
             "f:spec": {"f:replicas": {}, "f:selector": {},
               "f:template": {"f:metadata": {"f:labels": {"f:app": {}}},
                 "f:spec": {"f:containers": {"k:{\"name\":\"main\"}": {".": {},
                   "f:env": {"k:{\"name\":\"MODE\"}": {".": {}, "f:name": {}, "f:value": {}}},
                   "f:image": {}, "f:name": {},
                   "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}, "f:name": {}}}}}}}}}
            """), byKubectl["fieldsV1"]), byKubectl["fieldsV1"]!.ToJsonString());
        // A Deployment has a generation; a ConfigMap (no spec, core group) has none.
        Assert.Equal(1, live["metadata"]!["generation"]!.GetValue<long>());

        // Both own spec.replicas now: kubectl changing it alone is a conflict, reported the way kubectl reports it.
        await File.WriteAllTextAsync(file, Deployment(3).ToJsonString(), _ct);
        var conflict = await KubectlAsync(server.Kubeconfig, "apply", "--server-side", "-f", file);
        Assert.NotEqual(0, conflict.Code);
        Assert.Contains("conflict with \"llmctl\"", conflict.Err);
        Assert.Contains(".spec.replicas", conflict.Err);
        // A field inside a list item conflicts at that item's field, named by its key.
        var image = Deployment(2);
        image["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "nginx:1.28";
        await File.WriteAllTextAsync(file, image.ToJsonString(), _ct);
        conflict = await KubectlAsync(server.Kubeconfig, "apply", "--server-side", "-f", file);
        Assert.NotEqual(0, conflict.Code);
        Assert.Contains(".spec.template.spec.containers[name=\"main\"].image: conflict with \"llmctl\"", conflict.Err);
    }

    [Fact]
    public async Task A_second_manager_adds_and_removes_its_own_container_without_touching_the_first_managers()
    {
        if (!File.Exists(Kubectl)) Assert.Skip($"kubectl is not installed at {Kubectl} (.ci/install-kube-tools.sh installs v1.33.9)");
        await using var server = await FakeApiServerProcess.StartAsync(Path.Combine(_root, "server"), _ct);
        var file = Path.Combine(_root, "web.json");
        await File.WriteAllTextAsync(file, Deployment(2).ToJsonString(), _ct);
        var applied = await KubectlAsync(server.Kubeconfig, "apply", "--server-side", "-f", file);
        Assert.True(applied.Code == 0, applied.Err);

        // Another manager applies only its sidecar: the containers list is keyed, so the item is added beside "main"
        // and nobody conflicts (an atomic list would have been a conflict on .spec.template.spec.containers).
        var sidecar = Path.Combine(_root, "sidecar.json");
        await File.WriteAllTextAsync(sidecar, """
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
             "spec": {"template": {"spec": {"containers": [{"name": "sidecar", "image": "busybox:1.37"}]}}}}
            """, _ct);
        var added = await KubectlAsync(server.Kubeconfig, "apply", "--server-side", "--field-manager=sidecar", "-f", sidecar);
        Assert.True(added.Code == 0, added.Err);
        var live = await GetAsync(server.Kubeconfig, "deploy", "web");
        Assert.Equal(["main", "sidecar"], live["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"f:spec": {"f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"sidecar\"}": {".": {}, "f:image": {}, "f:name": {}}}}}}}
            """), EntryOf(live, "sidecar")["fieldsV1"]), EntryOf(live, "sidecar")["fieldsV1"]!.ToJsonString());

        // The sidecar's manager stops applying it: its item goes, "main" (owned by kubectl) stays as it was.
        await File.WriteAllTextAsync(sidecar, """
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"}}
            """, _ct);
        var removed = await KubectlAsync(server.Kubeconfig, "apply", "--server-side", "--field-manager=sidecar", "-f", sidecar);
        Assert.True(removed.Code == 0, removed.Err);
        live = await GetAsync(server.Kubeconfig, "deploy", "web");
        var main = Assert.Single(live["spec"]!["template"]!["spec"]!["containers"]!.AsArray())!;
        Assert.Equal(("main", "nginx:1.27", "fast"), (main["name"]!.GetValue<string>(), main["image"]!.GetValue<string>(), main["env"]![0]!["value"]!.GetValue<string>()));
        Assert.DoesNotContain(live["metadata"]!["managedFields"]!.AsArray(), f => f!["manager"]!.GetValue<string>() == "sidecar");
    }

    [Fact]
    public async Task A_config_map_applied_by_kubectl_has_no_generation_and_its_data_keys_are_owned_one_by_one()
    {
        if (!File.Exists(Kubectl)) Assert.Skip($"kubectl is not installed at {Kubectl} (.ci/install-kube-tools.sh installs v1.33.9)");
        await using var server = await FakeApiServerProcess.StartAsync(Path.Combine(_root, "server"), _ct);
        var file = Path.Combine(_root, "cm.json");
        await File.WriteAllTextAsync(file, """
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "default", "finalizers": ["example.com/keep"]},
             "data": {"mode": "fast", "slots": "4"}}
            """, _ct);

        var applied = await KubectlAsync(server.Kubeconfig, "apply", "--server-side", "-f", file);
        Assert.True(applied.Code == 0, applied.Err);

        var live = await GetAsync(server.Kubeconfig, "configmap", "settings");
        Assert.Null(live["metadata"]!["generation"]);
        // finalizers is a set (+listType=set): each value is owned as v:<value>.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"f:data": {"f:mode": {}, "f:slots": {}}, "f:metadata": {"f:finalizers": {"v:\"example.com/keep\"": {}}}}
            """), EntryOf(live, "kubectl")["fieldsV1"]), EntryOf(live, "kubectl")["fieldsV1"]!.ToJsonString());
    }

    private async Task<JsonObject> GetAsync(string kubeconfig, string kind, string name)
    {
        var got = await KubectlAsync(kubeconfig, "get", kind, name, "-n", "default", "-o", "json", "--show-managed-fields");
        Assert.True(got.Code == 0, got.Err);
        return JsonNode.Parse(got.Out)!.AsObject();
    }
}
