using Llmctl.Engine.State;
using Llmctl.Providers.Kubernetes.State;

namespace Llmctl.Providers.Kubernetes.Tests.State;

public class BackendUrlTests
{
    [Fact]
    public void A_registered_kubernetes_url_builds_a_backend_in_the_named_namespace_with_the_stacks_cluster()
    {
        KubernetesBackend.Register();

        var backend = Assert.IsType<KubernetesBackend>(BackendFactory.Create("kubernetes://ci-state", "/work/project",
            new Dictionary<string, string> { ["kubernetes:context"] = "ci" }));

        Assert.Equal("ci-state", backend.Namespace);
        Assert.Equal("kubernetes://ci-state", backend.Url);
    }

    [Fact]
    public void A_bare_kubernetes_url_means_the_llmctl_state_namespace()
    {
        var options = KubernetesBackendOptions.FromRequest(new BackendRequest("kubernetes://", "kubernetes", "", "/p",
            new Dictionary<string, string> { ["kubernetes:context"] = "ci", ["kubernetes:kubeconfig"] = "/etc/ci/kubeconfig" }));

        Assert.Equal("llmctl-state", options.Namespace);
        Assert.Equal(("ci", "/etc/ci/kubeconfig"), (options.Cluster.Context, options.Cluster.Kubeconfig));
    }

    [Theory]
    [InlineData("kubernetes://Not_A_Namespace")]
    [InlineData("kubernetes://a/b")]
    public void A_url_that_names_no_namespace_is_refused_saying_what_to_write(string url)
    {
        var e = Assert.Throws<NotSupportedException>(() =>
            KubernetesBackendOptions.FromRequest(new BackendRequest(url, "kubernetes", url["kubernetes://".Length..], "/p", new Dictionary<string, string>())));

        Assert.Contains("kubernetes://<namespace>", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("llm-platform", "homelab", "llmctl-llm-platform-homelab")]
    [InlineData("llm-platform", "dev.eu", "llmctl-llm-platform-dev-eu-")]
    [InlineData("LLM", "My_Stack", "llmctl-llm-my-stack-")]
    public void Object_names_are_dns_safe_and_a_hash_keeps_altered_names_apart(string project, string stack, string prefix)
    {
        var name = KubernetesBackend.ObjectName(project, stack);

        Assert.StartsWith(prefix, name, StringComparison.Ordinal);
        Assert.Matches("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", name);
        Assert.True(name.Length <= 63);
    }

    [Fact]
    public void Names_that_differ_only_in_case_or_separators_get_different_objects_and_long_ones_are_cut_to_63()
    {
        Assert.NotEqual(KubernetesBackend.ObjectName("p", "My_Stack"), KubernetesBackend.ObjectName("p", "my-stack"));
        var name = KubernetesBackend.ObjectName("p", new string('s', 100));
        Assert.Equal(63, name.Length);
    }
}
