using System.Text.Json.Nodes;
using k8s.Models;
using Llmctl.Components.Gpu;
using Llmctl.Components.Helm;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;
using Llmctl.Policies.Charts;
using Llmctl.Policies.Platform;

namespace Llmctl.Policies.Tests.Charts;

/// <summary>
/// The checks on chart-made objects, on objects shaped as `helm template` writes them and attached to a release as
/// its rendered children (the real charts go through them in Llmctl.Infra.Tests' ChartsVerbTests).
/// </summary>
public sealed class ChartPolicyTests
{
    private static readonly PolicyRunner Runner = new([new LlmctlPlatformPack()]);

    /// <summary>One AMD GPU node (tainted as <paramref name="taint"/>) and one release whose chart renders <paramref name="objects"/>.</summary>
    private static StackContext Stack(GpuTaint taint, params JsonObject[] objects) =>
        StackContext.Run("p", "s", _ =>
        {
            new GpuNode("gpu-a", new GpuNodeArgs { Gpu = new NodeGpu("gpu-a", GpuVendor.Amd, "strix-halo", 96 * 1024), Taint = taint });
            var release = new HelmRelease("thing", new HelmReleaseArgs { Chart = "thing", Repo = "https://example.com/charts", Version = "1.0.0", TargetNamespace = "things" });
            release.Chart.Annotate(new RenderedChildren("chart thing 1.0.0 from https://example.com/charts", true, objects));
        });

    private static JsonObject DaemonSet(string name, JsonObject nodeSelector, JsonArray? tolerations = null, string image = "example.com/thing:1.0@sha256:" + "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12") => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "DaemonSet",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "things" },
        ["spec"] = new JsonObject
        {
            ["template"] = new JsonObject
            {
                ["spec"] = new JsonObject
                {
                    ["nodeSelector"] = nodeSelector,
                    ["tolerations"] = tolerations ?? new JsonArray(),
                    ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = image }),
                },
            },
        },
    };

    private static JsonArray DedicatedToleration() => new(new JsonObject
    {
        ["key"] = GpuLabels.DedicatedTaintKey, ["operator"] = "Equal", ["value"] = GpuLabels.DedicatedTaintValue, ["effect"] = "NoSchedule",
    });

    private static IReadOnlyList<Violation> Of(StackContext stack, string policy) => Runner.Run(stack).Where(v => v.PolicyName == policy).ToList();

    [Fact]
    public void A_DaemonSet_that_also_requires_an_NFD_label_no_node_publishes_selects_no_node()
    {
        var stack = Stack(GpuTaint.Dedicated, DaemonSet("plugin", new JsonObject
        {
            [GpuLabels.Vendor] = "amd",
            [NodeFeatureDiscovery.PciLabel(PciClass.Vga, PciVendor.Amd)] = "true",
        }, DedicatedToleration()));

        var violation = Assert.Single(Of(stack, WorkloadsSchedulable.PolicyName));
        Assert.Equal(EnforcementLevel.Mandatory, violation.Enforcement);
        Assert.Contains("DaemonSet things/plugin (rendered from chart thing 1.0.0", violation.Message, StringComparison.Ordinal);
        Assert.Contains("selects no declared node", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_DaemonSet_selecting_the_GPU_node_by_its_labels_and_tolerating_its_taint_passes()
    {
        var stack = Stack(GpuTaint.Dedicated, DaemonSet("plugin", new JsonObject { [GpuLabels.Vendor] = "amd" }, DedicatedToleration()));

        Assert.Empty(Of(stack, WorkloadsSchedulable.PolicyName));
    }

    [Fact]
    public void A_DaemonSet_that_must_run_on_a_tainted_GPU_node_without_tolerating_it_is_reported()
    {
        var stack = Stack(GpuTaint.Dedicated, DaemonSet("exporter", new JsonObject { [GpuLabels.Vendor] = "amd" }));

        var violation = Assert.Single(Of(stack, WorkloadsSchedulable.PolicyName));
        Assert.Contains("must run on gpu-a but does not tolerate gpu-a: workload.ai/dedicated=gpu:NoSchedule", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_PreferNoSchedule_GPU_taint_never_blocks_a_workload()
    {
        var stack = Stack(GpuTaint.Prefer, DaemonSet("exporter", new JsonObject { [GpuLabels.Vendor] = "amd" }));

        Assert.Empty(Of(stack, WorkloadsSchedulable.PolicyName));
    }

    [Fact]
    public void A_chart_image_without_a_digest_blocks_under_pinned_digests_naming_the_rendered_object()
    {
        var stack = Stack(GpuTaint.None, DaemonSet("plugin", new JsonObject { [GpuLabels.Vendor] = "amd" }, image: "docker.io/rocm/k8s-device-plugin:1.31.0.9"));

        var violation = Assert.Single(Of(stack, PinnedDigests.PolicyName));
        Assert.Equal(EnforcementLevel.Mandatory, violation.Enforcement);
        Assert.Contains("DaemonSet 'plugin' (rendered for release 'thing') container 'main' runs 'docker.io/rocm/k8s-device-plugin:1.31.0.9', which is not pinned by digest",
            violation.Message, StringComparison.Ordinal);
        // Not one the component named as knowingly unpinned, so chart-images-pinned has nothing to excuse it with.
        Assert.Empty(Of(stack, ChartImagesPinned.PolicyName));
    }

    [Fact]
    public void An_image_the_component_names_as_unverifiable_is_reported_as_advisory_with_its_reason_and_only_that_image()
    {
        const string Unverified = "docker.io/rocm/k8s-device-plugin:1.31.0.9";
        var stack = StackContext.Run("p", "s", _ =>
        {
            var release = new HelmRelease("thing", new HelmReleaseArgs { Chart = "thing", Repo = "https://example.com/charts", Version = "1.0.0", TargetNamespace = "things" });
            release.Chart.Annotate(new UnpinnedChartImage(Unverified, "no public source names a digest for this tag"));
            release.Chart.Annotate(new RenderedChildren("chart thing 1.0.0 from https://example.com/charts", true,
            [
                DaemonSet("plugin", new JsonObject(), image: Unverified),
                DaemonSet("labeller", new JsonObject(), image: "docker.io/rocm/k8s-device-plugin:labeller-1.31.0.9"),
            ]));
        });

        var named = Assert.Single(Of(stack, ChartImagesPinned.PolicyName));
        Assert.Equal(EnforcementLevel.Advisory, named.Enforcement);
        Assert.Contains($"release 'thing' runs '{Unverified}' without a digest in DaemonSet plugin: no public source names a digest for this tag", named.Message, StringComparison.Ordinal);
        // The labeller's image was not named: it still blocks.
        var blocked = Assert.Single(Of(stack, PinnedDigests.PolicyName));
        Assert.Contains("DaemonSet 'labeller' (rendered for release 'thing')", blocked.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rendered_GPU_pod_is_held_to_the_GPU_contract()
    {
        var gpuPod = DaemonSet("inference", new JsonObject { [GpuLabels.Vendor] = "amd", [GpuLabels.Gpu] = "true" }, DedicatedToleration());
        var container = gpuPod["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject();
        container["resources"] = new JsonObject { ["requests"] = new JsonObject { ["amd.com/gpu"] = "1" } };

        var violation = Assert.Single(Of(Stack(GpuTaint.Dedicated, gpuPod), GpuContract.PolicyName));
        Assert.Contains("DaemonSet 'inference' (rendered for release 'thing') container 'main' requests amd.com/gpu: 1 without a limit", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_literal_in_a_rendered_pod_is_reported()
    {
        var pod = DaemonSet("thing", new JsonObject());
        pod["spec"]!["template"]!["spec"]!["containers"]![0]!["env"] = new JsonArray(new JsonObject { ["name"] = "API_TOKEN", ["value"] = "hunter2-literal" });

        var violation = Assert.Single(Of(Stack(GpuTaint.None, pod), NoPlainSecrets.PolicyName));
        Assert.Contains("DaemonSet 'thing' (rendered for release 'thing') container 'main' sets env API_TOKEN to a literal secret", violation.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", violation.Message, StringComparison.Ordinal);
    }

    private static JsonObject Service(string name, string label, string port) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "things", ["labels"] = new JsonObject { ["app"] = label } },
        ["spec"] = new JsonObject { ["ports"] = new JsonArray(new JsonObject { ["name"] = port, ["port"] = 9400 }) },
    };

    private static JsonObject Monitor(string label, string port, string? keepService = null)
    {
        var endpoint = new JsonObject { ["port"] = port };
        if (keepService is not null)
        {
            endpoint["relabelings"] = new JsonArray(new JsonObject
            {
                ["sourceLabels"] = new JsonArray("__meta_kubernetes_service_name"), ["regex"] = keepService, ["action"] = "keep",
            });
        }
        return new JsonObject
        {
            ["apiVersion"] = "monitoring.coreos.com/v1",
            ["kind"] = "ServiceMonitor",
            ["metadata"] = new JsonObject { ["name"] = "thing", ["namespace"] = "things" },
            ["spec"] = new JsonObject
            {
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = label } },
                ["endpoints"] = new JsonArray(endpoint),
            },
        };
    }

    [Fact]
    public void A_ServiceMonitor_selecting_a_rendered_Service_by_labels_port_and_name_passes()
    {
        var stack = Stack(GpuTaint.None, Service("thing-metrics", "thing", "metrics"), Monitor("thing", "metrics", "thing-metrics"));

        Assert.Empty(Of(stack, ServiceMonitorTargets.PolicyName));
    }

    [Theory]
    [InlineData("other", "metrics", null, "no Service in things has its labels")]
    [InlineData("thing", "web", null, "match its labels but not its endpoint port or service-name filter")]
    // The pre-fix LiteLLM monitor: it kept Service litellm-litellm-helm while the chart names it litellm.
    [InlineData("thing", "metrics", "thing-thing-helm", "match its labels but not its endpoint port or service-name filter")]
    public void A_ServiceMonitor_that_selects_no_rendered_Service_is_reported(string label, string port, string? keep, string expected)
    {
        var stack = Stack(GpuTaint.None, Service("thing-metrics", "thing", "metrics"), Monitor(label, port, keep));

        var violation = Assert.Single(Of(stack, ServiceMonitorTargets.PolicyName));
        Assert.Contains("ServiceMonitor things/thing (rendered from chart thing", violation.Message, StringComparison.Ordinal);
        Assert.Contains(expected, violation.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// prometheus-operator started with <c>--kubelet-service=&lt;ns&gt;/&lt;name&gt;</c> maintains that kubelet Service; here the
    /// operator is llmctl's own Deployment (read from its own object, not a chart's), and a chart's monitor selects the Service.
    /// </summary>
    [Theory]
    [InlineData("--kubelet-service=kube-system/kubelet", 0)]
    [InlineData("--kubelet-service=monitoring/kubelet", 1)]
    [InlineData("--kubelet-endpoints=true", 1)]
    public void The_kubelet_Service_an_operator_of_llmctl_maintains_is_a_target(string arg, int violations)
    {
        var monitor = new JsonObject
        {
            ["apiVersion"] = "monitoring.coreos.com/v1",
            ["kind"] = "ServiceMonitor",
            ["metadata"] = new JsonObject { ["name"] = "kubelet", ["namespace"] = "things" },
            ["spec"] = new JsonObject
            {
                ["namespaceSelector"] = new JsonObject { ["matchNames"] = new JsonArray("kube-system") },
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["k8s-app"] = "kubelet" } },
                ["endpoints"] = new JsonArray(new JsonObject { ["port"] = "https-metrics" }),
            },
        };
        var stack = StackContext.Run("p", "s", _ =>
        {
            new KubernetesObject<V1Deployment>("operator", new V1Deployment
            {
                Metadata = new V1ObjectMeta { Name = "operator", NamespaceProperty = "things" },
                Spec = new V1DeploymentSpec
                {
                    Selector = new V1LabelSelector(),
                    Template = new V1PodTemplateSpec
                    {
                        Spec = new V1PodSpec { Containers = [new V1Container { Name = "operator", Image = "example.com/operator:1.0", Args = ["--log-level=info", arg] }] },
                    },
                },
            });
            var release = new HelmRelease("monitors", new HelmReleaseArgs { Chart = "monitors", Repo = "https://example.com/charts", Version = "1.0.0", TargetNamespace = "things" });
            release.Chart.Annotate(new RenderedChildren("chart monitors 1.0.0 from https://example.com/charts", true, [monitor]));
        });

        Assert.Equal(violations, Of(stack, ServiceMonitorTargets.PolicyName).Count);
        // Called on its own, outside a policy run, it finds the same.
        Assert.Equal(violations, new ServiceMonitorTargets().Validate(stack).Count());
    }

    [Fact]
    public void An_unlocked_or_unrendered_release_is_said_out_loud()
    {
        var stack = StackContext.Run("p", "s", _ =>
        {
            var a = new HelmRelease("a", new HelmReleaseArgs { Chart = "a", Repo = "https://example.com/charts", Version = "1.0.0", TargetNamespace = "a" });
            a.Chart.Annotate(new RenderedChildren("chart a 1.0.0 from https://example.com/charts", false, []));
            var b = new HelmRelease("b", new HelmReleaseArgs { Chart = "b", Repo = "https://example.com/charts", Version = "1.0.0", TargetNamespace = "b" });
            b.Chart.Annotate(new RenderedChildrenMissing("chart b 1.0.0 from https://example.com/charts", "helm was not found"));
        });

        var messages = Of(stack, ChartsRendered.PolicyName).Select(v => v.Message).ToList();
        Assert.Contains(messages, m => m.Contains("release 'a' was rendered from an UNLOCKED package", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("release 'b' (chart b 1.0.0 from https://example.com/charts) was not rendered", StringComparison.Ordinal));
    }
}
