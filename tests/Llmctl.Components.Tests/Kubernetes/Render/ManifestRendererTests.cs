using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;
using Llmctl.Components.Kubernetes;
using Llmctl.Components.Kubernetes.Render;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Tests.Kubernetes.Render;

public sealed class ManifestRendererTests : IDisposable
{
    private const string Token = "hf_s3cr3tT0k3nV4lu3";
    private readonly string _dir = Directory.CreateTempSubdirectory("llmctl-render-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static StackContext Stack(Action<StackContext> program) => StackContext.Run("proj", "dev", program);

    private string Read(string relative) => File.ReadAllText(Path.Combine(_dir, relative));

    private string EverythingWritten() =>
        string.Concat(Directory.EnumerateFiles(_dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllText));

    private static KubernetesObject<V1ConfigMap> ConfigMap(string name, string ns = "llm") =>
        new(name, new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns }, Data = new Dictionary<string, string> { ["a"] = "1" } });

    [Fact]
    public void A_secret_is_written_as_a_comment_only_stub_naming_its_keys_and_never_its_values()
    {
        var result = ManifestRenderer.Render(Stack(_ =>
        {
            new KubernetesObject<V1Secret>("hf-token", new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = "hf-token", NamespaceProperty = "llm" },
                Data = new Dictionary<string, byte[]> { ["token"] = Encoding.UTF8.GetBytes(Token) },
                StringData = new Dictionary<string, string> { ["user"] = "robot-" + Token },
            });
        }), _dir);

        Assert.Equal(["llm/secret-hf-token.yaml"], result.SecretStubs);
        Assert.Empty(result.Manifests);
        var stub = Read("llm/secret-hf-token.yaml");
        Assert.All(stub.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.StartsWith("#", line));
        Assert.Contains("#     token: <base64 value>", stub);
        Assert.Contains("#     user: <base64 value>", stub);
        var all = EverythingWritten();
        Assert.DoesNotContain(Token, all);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Token)), all);
        var kustomization = Read(ManifestRenderer.KustomizationName);
        Assert.Contains("#   llm/secret-hf-token.yaml (keys: token, user)", kustomization);
        Assert.DoesNotContain("- llm/secret-hf-token.yaml", kustomization);
    }

    [Fact]
    public void A_secret_value_inside_another_object_becomes_a_placeholder_and_a_warning_naming_the_path()
    {
        var result = ManifestRenderer.Render(Stack(ctx =>
        {
            var cm = ConfigMap("settings");
            cm.Inputs["data"]!["token"] = ctx.ToInput(Output.CreateSecret(Token));
        }), _dir);

        var yaml = Read("llm/configmap-settings.yaml");
        Assert.Contains($"token: '{ManifestRenderer.SecretPlaceholder}'", yaml);
        Assert.DoesNotContain(Token, EverythingWritten());
        var warning = Assert.Single(result.Warnings);
        Assert.Contains("ConfigMap::settings", warning);
        Assert.Contains("'data.token'", warning);
    }

    [Fact]
    public void A_value_known_only_after_apply_fails_the_render_naming_the_resource_and_path()
    {
        var error = Assert.Throws<RenderException>(() => ManifestRenderer.Render(Stack(ctx =>
        {
            var source = ConfigMap("source");
            var cm = ConfigMap("needs-endpoint");
            cm.Inputs["data"]!["endpoint"] = ctx.ToInput(source.GetOutput<string>("data.endpoint"));
        }), _dir));

        var problem = Assert.Single(error.Problems);
        Assert.Contains("ConfigMap::needs-endpoint", problem);
        Assert.Contains("'data.endpoint' is known only after `llmctl up`", problem);
        Assert.False(File.Exists(Path.Combine(_dir, ManifestRenderer.KustomizationName)));
    }

    [Fact]
    public void Deferred_values_render_once_the_outputs_they_come_from_are_known()
    {
        CustomResource? source = null;
        var stack = Stack(ctx =>
        {
            source = ConfigMap("source");
            var cm = ConfigMap("needs-endpoint");
            cm.Inputs["data"]!["endpoint"] = ctx.ToInput(source.GetOutput<string>("data.endpoint"));
        });

        ManifestRenderer.Render(stack, _dir, new FixedOutputs(source!, new JsonObject { ["data"] = new JsonObject { ["endpoint"] = "http://lane:8080" } }));

        Assert.Contains("endpoint: http://lane:8080", Read("llm/configmap-needs-endpoint.yaml"));
    }

    [Fact]
    public void Custom_objects_such_as_a_helm_chart_render_generically_from_their_type_token_and_inputs()
    {
        var result = ManifestRenderer.Render(Stack(_ =>
        {
            new CustomResource("kubernetes:helm.cattle.io/v1:HelmChart", "gpu-operator", JsonNode.Parse("""
                {"apiVersion":"helm.cattle.io/v1","kind":"HelmChart",
                 "spec":{"version":"v25.3.0","chart":"gpu-operator","repo":"https://helm.ngc.nvidia.com/nvidia","valuesContent":"driver:\n  enabled: false\n"},
                 "metadata":{"namespace":"kube-system","name":"gpu-operator"}}
                """)!.AsObject());
        }), _dir);

        Assert.Equal(["kube-system/helmchart-gpu-operator.yaml"], result.Manifests);
        var yaml = Read("kube-system/helmchart-gpu-operator.yaml");
        var body = string.Join('\n', yaml.Split('\n').Skip(1));
        Assert.StartsWith("apiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata:\n  name: gpu-operator\n  namespace: kube-system\nspec:\n  chart: gpu-operator\n", body);
    }

    [Fact]
    public void Strings_that_yaml_would_read_as_booleans_or_numbers_are_quoted()
    {
        ManifestRenderer.Render(Stack(_ =>
        {
            var cm = ConfigMap("flags");
            cm.Inputs["data"] = new JsonObject { ["flash"] = "on", ["answer"] = "yes", ["port"] = "8080", ["nothing"] = "null", ["plain"] = "q8_0" };
        }), _dir);

        var yaml = Read("llm/configmap-flags.yaml");
        Assert.Contains("flash: \"on\"", yaml);
        Assert.Contains("answer: \"yes\"", yaml);
        Assert.Contains("port: \"8080\"", yaml);
        Assert.Contains("nothing: \"null\"", yaml);
        Assert.Contains("plain: q8_0", yaml);
    }

    [Fact]
    public void Files_an_earlier_render_wrote_and_this_one_does_not_are_removed_and_other_files_are_left_alone()
    {
        ManifestRenderer.Render(Stack(_ => { ConfigMap("keep"); ConfigMap("drop", ns: "old"); }), _dir);
        File.WriteAllText(Path.Combine(_dir, "llm", "hand-written.yaml"), "# mine\n");

        var result = ManifestRenderer.Render(Stack(_ => ConfigMap("keep")), _dir);

        Assert.Equal(["old/configmap-drop.yaml"], result.Removed);
        Assert.False(Directory.Exists(Path.Combine(_dir, "old")));
        Assert.True(File.Exists(Path.Combine(_dir, "llm", "configmap-keep.yaml")));
        Assert.True(File.Exists(Path.Combine(_dir, "llm", "hand-written.yaml")));
        Assert.DoesNotContain("old/", Read(ManifestRenderer.KustomizationName));
    }

    [Fact]
    public void Node_patches_are_skipped_with_the_reason_in_the_kustomization()
    {
        var result = ManifestRenderer.Render(Stack(_ =>
        {
            new KubernetesObject<V1Node>("gpu-worker", new V1Node { Metadata = new V1ObjectMeta { Name = "gpu-worker" } }, patch: true);
        }), _dir);

        Assert.Empty(result.Manifests);
        Assert.Contains("NodePatch", Assert.Single(result.Skipped));
        Assert.Contains("resources: []", Read(ManifestRenderer.KustomizationName));
    }

    private sealed class FixedOutputs(Resource resource, JsonObject outputs) : IOutputSource
    {
        public JsonObject? OutputsOf(Resource r) => ReferenceEquals(r, resource) ? outputs : null;
    }
}
