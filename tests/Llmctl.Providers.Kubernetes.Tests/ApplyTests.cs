using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Providers;
using static Llmctl.Providers.Kubernetes.Tests.ProviderHarness;

namespace Llmctl.Providers.Kubernetes.Tests;

public class ApplyTests
{
    [Fact]
    public async Task A_create_is_a_server_side_apply_by_llmctl_with_strict_field_validation()
    {
        await using var h = await StartAsync();
        var result = await h.CreateAsync(Deployment("web", replicas: 0));

        Assert.Equal("default/web", result.Id);
        var patch = Assert.Single(h.Server.Requests, r => r.Method == "PATCH");
        Assert.Equal("/apis/apps/v1/namespaces/default/deployments/web", patch.Path);
        Assert.StartsWith("application/apply-patch+yaml", patch.ContentType);
        Assert.Contains("fieldManager=llmctl", patch.Query);
        Assert.Contains("fieldValidation=Strict", patch.Query);
        Assert.DoesNotContain("force=", patch.Query);
        var stored = h.Server.Get("Deployment", "default", "web")!;
        Assert.Equal("llmctl", Assert.Single(stored["metadata"]!["managedFields"]!.AsArray())!["manager"]!.GetValue<string>());
        Assert.Null(result.Outputs["metadata"]!["managedFields"]);
        Assert.NotNull(result.Outputs["metadata"]!["uid"]);
    }

    [Fact]
    public async Task Core_group_objects_are_applied_under_api_v1()
    {
        await using var h = await StartAsync();
        await h.CreateAsync(Simple("v1", "Namespace", "llm", ns: null));
        await h.CreateAsync(Simple("v1", "ConfigMap", "settings", ns: "llm"));
        Assert.Contains(h.Server.Requests, r => r is { Method: "PATCH", Path: "/api/v1/namespaces/llm" });
        Assert.Contains(h.Server.Requests, r => r is { Method: "PATCH", Path: "/api/v1/namespaces/llm/configmaps/settings" });
        Assert.NotNull(h.Server.Get("ConfigMap", "llm", "settings"));
    }

    [Fact]
    public async Task Applying_the_same_inputs_again_changes_nothing_and_diffs_as_no_change()
    {
        await using var h = await StartAsync();
        var obj = Deployment("web", replicas: 0);
        var first = await h.CreateAsync(obj);
        var urn = UrnOf(TypeOf(obj), "web");
        var second = await h.Provider.UpdateAsync(urn, TypeOf(obj), first.Id, obj, first.Outputs, obj, Long, default);

        Assert.Equal(first.Outputs["metadata"]!["resourceVersion"]!.GetValue<string>(), second.Outputs["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Null(await h.Provider.DiffAsync(urn, TypeOf(obj), first.Id, obj, first.Outputs, obj, default));
        Assert.Empty(InputDiff.Compute(obj, obj));
    }

    [Fact]
    public async Task A_conflict_names_the_other_field_manager_and_the_field_and_how_to_take_over()
    {
        await using var h = await StartAsync();
        h.Server.ApplyAs("other-manager", Deployment("web", replicas: 3));

        var e = await Assert.ThrowsAsync<ProviderException>(() => h.CreateAsync(Deployment("web", replicas: 0)));
        Assert.Contains("\"other-manager\"", e.Message);
        Assert.Contains(".spec.replicas", e.Message);
        Assert.Contains("llmctl.io/patchForce: \"true\"", e.Message);
        Assert.Equal(3, h.Server.Get("Deployment", "default", "web")!["spec"]!["replicas"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_patch_force_annotation_takes_the_fields_over()
    {
        await using var h = await StartAsync();
        h.Server.ApplyAs("other-manager", Deployment("web", replicas: 3));

        await h.CreateAsync(Deployment("web", replicas: 0, annotations: new() { ["llmctl.io/patchForce"] = "true" }));

        var stored = h.Server.Get("Deployment", "default", "web")!;
        Assert.Equal(0, stored["spec"]!["replicas"]!.GetValue<int>());
        Assert.Contains(h.Server.Requests, r => r.Method == "PATCH" && r.Query.Contains("force=true"));
        var other = stored["metadata"]!["managedFields"]!.AsArray().Single(m => m!["manager"]!.GetValue<string>() == "other-manager");
        Assert.Null(other!["fieldsV1"]!["f:spec"]?["f:replicas"]);
    }

    [Fact]
    public async Task A_field_no_longer_applied_is_removed_from_the_live_object()
    {
        await using var h = await StartAsync();
        var obj = Deployment("web", replicas: 0);
        obj["metadata"]!["labels"]!["tier"] = "front";
        await h.CreateAsync(obj);
        await h.CreateAsync(Deployment("web", replicas: 0));
        Assert.Null(h.Server.Get("Deployment", "default", "web")!["metadata"]!["labels"]!["tier"]);
    }

    [Fact]
    public async Task A_change_to_an_immutable_field_is_a_replace_that_deletes_first()
    {
        await using var h = await StartAsync();
        var old = Deployment("web", replicas: 0);
        var changed = Deployment("web", replicas: 0);
        changed["spec"]!["selector"]!["matchLabels"]!["app"] = "web2";

        var diff = await h.Provider.DiffAsync(UrnOf(TypeOf(old), "web"), TypeOf(old), "default/web", old, new JsonObject(), changed, default);

        Assert.NotNull(diff);
        Assert.Contains("spec.selector.matchLabels.app", diff.ReplaceKeys);
        Assert.True(diff.DeleteBeforeReplace);
        Assert.Null(await h.Provider.DiffAsync(UrnOf(TypeOf(old), "web"), TypeOf(old), "default/web", old, new JsonObject(), Deployment("web", replicas: 1), default));
    }

    [Fact]
    public async Task Secret_values_reach_the_cluster_but_stay_secret_in_the_outputs()
    {
        await using var h = await StartAsync();
        var secret = Simple("v1", "Secret", "token");
        secret["stringData"] = new JsonObject { ["token"] = PropertyValues.Secret("s3cr3t") };

        var result = await h.CreateAsync(secret);

        Assert.Equal("s3cr3t", h.Server.Get("Secret", "default", "token")!["stringData"]!["token"]!.GetValue<string>());
        Assert.True(PropertyValues.IsSecret(result.Outputs["stringData"]));
    }

    [Fact]
    public async Task A_namespaced_object_in_a_missing_namespace_fails_with_the_servers_reason()
    {
        await using var h = await StartAsync();
        var e = await Assert.ThrowsAsync<ProviderException>(() => h.CreateAsync(Deployment("web", replicas: 0, ns: "nowhere")));
        Assert.Contains("namespaces \"nowhere\" not found", e.Message);
    }

    [Fact]
    public async Task Read_returns_the_live_object_without_managed_fields_and_null_once_it_is_gone()
    {
        await using var h = await StartAsync();
        var obj = Deployment("web", replicas: 0);
        var created = await h.CreateAsync(obj);
        var urn = UrnOf(TypeOf(obj), "web");

        var live = await h.Provider.ReadAsync(urn, TypeOf(obj), created.Id, obj, created.Outputs, default);
        Assert.NotNull(live);
        Assert.Null(live.Outputs["metadata"]!["managedFields"]);

        await h.Provider.DeleteAsync(urn, TypeOf(obj), created.Id, obj, created.Outputs, Long, default);
        Assert.Null(await h.Provider.ReadAsync(urn, TypeOf(obj), created.Id, obj, created.Outputs, default));
    }

    [Fact]
    public async Task A_node_patch_labels_an_existing_node_and_its_delete_removes_only_llmctls_labels()
    {
        await using var h = await StartAsync();
        h.Server.AddNode("gpu-worker", new Dictionary<string, string> { ["kubernetes.io/hostname"] = "gpu-worker" });
        var patch = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = new JsonObject { ["name"] = "gpu-worker", ["labels"] = new JsonObject { ["workload.ai/gpu"] = "true" } } };
        const string type = "kubernetes:core/v1:NodePatch";
        var urn = UrnOf(type, "gpu-worker");

        var result = await h.Provider.CreateAsync(urn, type, patch, Long, default);
        Assert.Equal("gpu-worker", result.Id);
        Assert.Equal("true", h.Server.Get("Node", null, "gpu-worker")!["metadata"]!["labels"]!["workload.ai/gpu"]!.GetValue<string>());

        await h.Provider.DeleteAsync(urn, type, result.Id, patch, result.Outputs, Long, default);
        var node = h.Server.Get("Node", null, "gpu-worker");
        Assert.NotNull(node);
        Assert.Null(node["metadata"]!["labels"]!["workload.ai/gpu"]);
        Assert.Equal("gpu-worker", node["metadata"]!["labels"]!["kubernetes.io/hostname"]!.GetValue<string>());
        Assert.DoesNotContain(h.Server.Requests, r => r.Method == "DELETE");
    }

    [Fact]
    public async Task A_node_patch_for_a_node_that_is_not_there_fails_instead_of_creating_one()
    {
        await using var h = await StartAsync();
        var patch = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = new JsonObject { ["name"] = "ghost", ["labels"] = new JsonObject { ["a"] = "b" } } };
        var e = await Assert.ThrowsAsync<ProviderException>(() => h.Provider.CreateAsync(UrnOf("kubernetes:core/v1:NodePatch", "ghost"), "kubernetes:core/v1:NodePatch", patch, Long, default));
        Assert.Contains("does not exist", e.Message);
        Assert.Null(h.Server.Get("Node", null, "ghost"));
    }

    [Fact]
    public async Task No_connection_is_made_until_the_cluster_is_needed()
    {
        var asked = 0;
        var provider = KubernetesProvider.FromDeferredKubeconfig(() => { asked++; return null; });
        var obj = Deployment("web");
        Assert.Null(await provider.DiffAsync(UrnOf(TypeOf(obj), "web"), TypeOf(obj), "default/web", obj, new JsonObject(), obj, default));
        Assert.Equal(0, asked);
    }
}
