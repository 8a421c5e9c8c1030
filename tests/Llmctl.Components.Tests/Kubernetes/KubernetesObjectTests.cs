using k8s.Models;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Tests.Kubernetes;

public sealed class KubernetesObjectTests
{
    [Fact]
    public void Type_tokens_follow_Pulumi_Kubernetes_from_apiVersion_and_kind()
    {
        Assert.Equal("kubernetes:apps/v1:Deployment", KubernetesObjects.TypeTokenFor<V1Deployment>());
        Assert.Equal("kubernetes:core/v1:Service", KubernetesObjects.TypeTokenFor<V1Service>());
        Assert.Equal("kubernetes:core/v1:Namespace", KubernetesObjects.TypeTokenFor<V1Namespace>());
        Assert.Equal("kubernetes:node.k8s.io/v1:RuntimeClass", KubernetesObjects.TypeTokenFor<V1RuntimeClass>());
        Assert.Equal("kubernetes:core/v1:NodePatch", KubernetesObjects.TypeTokenFor<V1Node>(patch: true));
    }

    [Fact]
    public void The_inputs_are_the_serialized_object_with_apiVersion_and_kind_set_and_nulls_left_out()
    {
        KubernetesObject<V1Namespace>? ns = null;
        StackContext.Run("p", "s", _ => ns = new KubernetesObject<V1Namespace>("llm", new V1Namespace { Metadata = new V1ObjectMeta { Name = "llm" } }));

        Assert.Equal("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"llm"}}""", ns!.Inputs.ToJsonString());
        Assert.Equal(("v1", "Namespace"), (ns.Object.ApiVersion, ns.Object.Kind));
        Assert.Equal("urn:pulumi:s::p::kubernetes:core/v1:Namespace::llm", ns.Urn.Value);
    }

    [Fact]
    public void Customize_changes_the_typed_object_and_renders_the_inputs_again()
    {
        KubernetesObject<V1Namespace>? ns = null;
        StackContext.Run("p", "s", _ => ns = new KubernetesObject<V1Namespace>("llm", new V1Namespace { Metadata = new V1ObjectMeta { Name = "llm" } }));
        var inputs = ns!.Inputs;

        ns.Customize(n => n.Metadata.Labels = new Dictionary<string, string> { ["team"] = "ml" });

        Assert.Same(inputs, ns.Inputs);
        Assert.Equal("ml", (string?)ns.Inputs["metadata"]!["labels"]!["team"]);
        Assert.Equal("ml", ns.Object.Metadata.Labels["team"]);
    }
}
