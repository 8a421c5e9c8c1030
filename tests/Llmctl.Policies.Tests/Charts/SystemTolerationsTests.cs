using System.Text.Json.Nodes;
using Llmctl.Components.Certificates;
using Llmctl.Components.Cluster;
using Llmctl.Components.Gateway;
using Llmctl.Components.Gpu;
using Llmctl.Components.Observability;
using Llmctl.Policies.Tests.Platform;

namespace Llmctl.Policies.Tests.Charts;

/// <summary>
/// The system releases' tolerations as the real stacks compose them (the rendered result is checked with the real helm
/// in Llmctl.Infra.Tests' RenderedChildrenPolicyTests): only where the GPU nodes' taint covers the whole cluster.
/// </summary>
public sealed class SystemTolerationsTests
{
    private static string Dedicated(string text) => text.Replace("taint: none", "taint: dedicated", StringComparison.Ordinal);

    private static bool Tolerates(JsonNode? tolerations) =>
        tolerations is JsonArray list && list.OfType<JsonObject>().Any(t =>
            t["key"]?.GetValue<string>() == GpuLabels.DedicatedTaintKey && t["value"]?.GetValue<string>() == GpuLabels.DedicatedTaintValue
            && t["effect"]?.GetValue<string>() == "NoSchedule");

    [Fact]
    public void A_fleet_whose_every_node_carries_the_GPU_taint_gives_each_system_release_its_toleration()
    {
        var stack = RealStacks.Fleet(Dedicated);

        Assert.Equal([GpuLabels.DedicatedTaintKey], DeclaredNodes.SystemTolerations(stack).Select(t => t.Key));
        var certManager = stack.Resources.OfType<CertManager>().Single().Release.Args.Values;
        foreach (var at in new[] { certManager["tolerations"], certManager["webhook"]?["tolerations"], certManager["cainjector"]?["tolerations"], certManager["startupapicheck"]?["tolerations"] })
        {
            Assert.True(Tolerates(at), certManager.ToJsonString());
        }
        Assert.True(Tolerates(stack.Resources.OfType<IonosDnsWebhook>().Single().Release.Args.Values["tolerations"]));
        var monitoring = stack.Resources.OfType<KubePrometheusStack>().Single().Release.Args.Values;
        Assert.True(Tolerates(monitoring["prometheusOperator"]?["tolerations"]));
        Assert.True(Tolerates(monitoring["prometheus"]?["prometheusSpec"]?["tolerations"]));
        Assert.True(Tolerates(monitoring["grafana"]?["tolerations"]));
        var gateway = stack.Resources.OfType<LiteLlmGateway>().Single().Release.Args.Values;
        Assert.True(Tolerates(gateway["tolerations"]));
        Assert.True(Tolerates(gateway["postgresql"]?["primary"]?["tolerations"]));
    }

    [Fact]
    public void Where_a_node_is_untainted_or_the_stack_does_not_declare_the_whole_cluster_system_releases_get_none()
    {
        // The fleet as shipped leaves its nodes untainted; the homelab's GPU worker is tainted but the cluster has a
        // control plane the stack does not declare (no k3s section), where system pods belong.
        foreach (var stack in new[] { RealStacks.Fleet(), RealStacks.Homelab() })
        {
            Assert.Empty(DeclaredNodes.SystemTolerations(stack));
            var monitoring = stack.Resources.OfType<KubePrometheusStack>().Single().Release.Args.Values;
            Assert.Null(monitoring["grafana"]?["tolerations"]);
            Assert.Null(monitoring["prometheusOperator"]?["tolerations"]);
        }
    }
}
