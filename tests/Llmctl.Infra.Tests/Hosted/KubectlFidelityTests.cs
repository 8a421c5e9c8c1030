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
        Assert.NotNull(byKubectl["fieldsV1"]!["f:spec"]!["f:replicas"]);
        Assert.NotNull(byKubectl["fieldsV1"]!["f:metadata"]!["f:labels"]!["f:app"]);

        // Both own spec.replicas now: kubectl changing it alone is a conflict, reported the way kubectl reports it.
        await File.WriteAllTextAsync(file, Deployment(3).ToJsonString(), _ct);
        var conflict = await KubectlAsync(server.Kubeconfig, "apply", "--server-side", "-f", file);
        Assert.NotEqual(0, conflict.Code);
        Assert.Contains("conflict with \"llmctl\"", conflict.Err);
        Assert.Contains(".spec.replicas", conflict.Err);
    }
}
