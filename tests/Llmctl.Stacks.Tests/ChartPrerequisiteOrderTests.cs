using k8s.Models;
using Llmctl.Components.Helm;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;
using Llmctl.Testing;

namespace Llmctl.Stacks.Tests;

/// <summary>
/// On a real cluster a namespace that only a chart creates (<c>createNamespace</c>) and a CRD that only a chart installs
/// exist once k3s's helm-controller has installed that chart; an object applied earlier gets a 404. So every object of
/// both sample stacks in such a namespace, or of such a kind, must wait (through its own dependencies, its parents'
/// or the components it depends on — what the engine waits for) for the HelmChart that creates it.
/// </summary>
public sealed class ChartPrerequisiteOrderTests
{
    // The API groups whose CRDs a chart of the stacks installs (the charts' crds/ and templates), by HelmChart name.
    private static readonly Dictionary<string, string> CrdChartByGroup = new(StringComparer.Ordinal)
    {
        ["monitoring.coreos.com"] = "kube-prometheus-stack",
        ["cert-manager.io"] = "cert-manager",
    };

    private static readonly string[] ClusterNamespaces = ["default", "kube-system", "kube-public"];

    [Theory]
    [InlineData("homelab")]
    [InlineData("fleet")]
    public void Every_object_waits_for_the_chart_that_creates_its_namespace_or_its_kind(string stack)
    {
        var ctx = StackPipeline.Run(RepoFiles.Root, stack, environment: name => name == "PULUMI_CONFIG_PASSPHRASE" ? "llmctl-sample" : null);
        var objects = ctx.Resources.OfType<IKubernetesObjectResource>().Where(o => !o.IsPatch && !RenderedByAChart((Resource)o)).ToList();
        var namespaces = objects.Where(o => o.Object is V1Namespace).Select(o => o.Object.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        var crds = objects.Select(o => o.Object).OfType<V1CustomResourceDefinition>().Select(c => c.Spec.Group).ToHashSet(StringComparer.Ordinal);
        var charts = objects.Where(o => o.Object is V1HelmChart).Select(o => ((Resource)o, (V1HelmChart)o.Object)).ToList();
        var checkedObjects = new List<string>();

        foreach (var o in objects)
        {
            var resource = (Resource)o;
            var waits = Waits(ctx, resource);
            var ns = o.Object.Metadata?.NamespaceProperty;
            if (ns is not null && !namespaces.Contains(ns) && !ClusterNamespaces.Contains(ns))
            {
                var creators = charts.Where(c => c.Item2.Spec.TargetNamespace == ns && c.Item2.Spec.CreateNamespace == true).ToList();
                Assert.True(creators.Count > 0, $"{resource.Urn}: nothing in the stack creates its namespace '{ns}'");
                Assert.True(creators.Any(c => ReferenceEquals(c.Item1, resource) || waits.Contains(c.Item1)),
                    $"{resource.Urn} is in namespace '{ns}', which the chart(s) {string.Join(", ", creators.Select(c => c.Item1.Name))} create, but does not wait for any of them");
                checkedObjects.Add(resource.Urn.Value);
            }
            var group = o.ApiVersion.Contains('/', StringComparison.Ordinal) ? o.ApiVersion[..o.ApiVersion.IndexOf('/', StringComparison.Ordinal)] : "";
            if (CrdChartByGroup.TryGetValue(group, out var chartName) && !crds.Contains(group))
            {
                var chart = charts.Where(c => c.Item1.Name == chartName).Select(c => c.Item1).FirstOrDefault();
                Assert.True(chart is not null, $"{resource.Urn} is a {o.Kind}, whose CRD only the chart '{chartName}' installs, and the stack has no such chart");
                Assert.True(waits.Contains(chart), $"{resource.Urn} is a {o.Kind}, whose CRD the chart '{chartName}' installs, but does not wait for it");
                checkedObjects.Add(resource.Urn.Value);
            }
        }
        // The samples have such objects (the homelab's in the monitoring namespace, the fleet's IONOS Secret, its rules
        // and monitors): the check is not vacuous.
        Assert.Contains(checkedObjects, u => u.Contains("PrometheusRule", StringComparison.Ordinal));
        Assert.Contains(checkedObjects, u => u.Contains("ServiceMonitor", StringComparison.Ordinal));
        if (stack == "fleet") Assert.Contains(checkedObjects, u => u.Contains("Secret::letsencrypt-ionos-prod", StringComparison.Ordinal));
    }

    // What the engine waits for before it applies a resource: its parent, its dependencies (a component as everything
    // under it), the resources whose outputs it reads; and, in turn, everything those wait for.
    private static HashSet<Resource> Waits(StackContext ctx, Resource resource)
    {
        var seen = new HashSet<Resource>(ReferenceEqualityComparer.Instance);
        var todo = new Stack<Resource>([resource]);
        while (todo.TryPop(out var r))
        {
            var next = r.Dependencies.SelectMany(d => d.DescendantsAndSelf());
            if (r.Parent is { } parent) next = next.Append(parent);
            if (r is CustomResource custom) next = next.Concat(ctx.OutputDependencies(custom.Inputs));
            foreach (var n in next)
            {
                if (seen.Add(n)) todo.Push(n);
            }
        }
        return seen;
    }

    // What `helm template` rendered under a release is read-only: the chart installs it, not llmctl.
    private static bool RenderedByAChart(Resource resource)
    {
        for (var p = resource.Parent; p is not null; p = p.Parent)
        {
            if (p is IKubernetesObjectResource { Object: V1HelmChart }) return true;
        }
        return false;
    }
}
