using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;

namespace Llmctl.Infra.Cli;

/// <summary>
/// The objects each Helm release creates, under the preview tree: read-only children that k3s's helm-controller
/// applies (llmctl never does). A count per release; with <c>--diff</c>, every object and the images and placement
/// of each workload.
/// </summary>
internal static class ChartObjectsView
{
    public static void Write(TextWriter output, StackContext desired, bool diff)
    {
        var releases = desired.Resources.Where(r => r.Annotations.OfType<RenderedChildren>().Any() || r.Annotations.OfType<RenderedChildrenMissing>().Any()).ToList();
        if (releases.Count == 0) return;
        output.WriteLine();
        output.WriteLine("Objects the Helm releases create (rendered by helm template; applied by k3s's helm-controller, not by llmctl):");
        var objects = ClusterObjects.FromCharts(desired).ToLookup(o => o.Owner);
        foreach (var release in releases)
        {
            foreach (var missing in release.Annotations.OfType<RenderedChildrenMissing>())
            {
                output.WriteLine($"    {release.Urn.Name}: not rendered ({missing.Source}): {missing.Reason}");
            }
            foreach (var rendered in release.Annotations.OfType<RenderedChildren>())
            {
                var children = objects[release].ToList();
                output.WriteLine($"    {release.Urn.Name}: {children.Count} object(s) from {rendered.Source}{(rendered.Verified ? ", digest verified" : ", UNLOCKED (digest not in charts.lock.yaml)")}");
                if (!diff) continue;
                foreach (var o in children.OrderBy(o => o.Kind, StringComparer.Ordinal).ThenBy(o => o.Namespace, StringComparer.Ordinal).ThenBy(o => o.Name, StringComparer.Ordinal))
                {
                    output.WriteLine($"        = {o.Kind} {(o.Namespace is null ? "" : o.Namespace + "/")}{o.Name}");
                    if (o.PodSpec is not { } spec) continue;
                    foreach (var c in spec.AllContainers()) output.WriteLine($"            image: {c.Image}");
                    if (spec.NodeSelector is { Count: > 0 } selector)
                    {
                        output.WriteLine($"            nodeSelector: {string.Join(", ", selector.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"))}");
                    }
                    if (spec.Tolerations is { Count: > 0 } tolerations)
                    {
                        output.WriteLine($"            tolerations: {string.Join(", ", tolerations.Select(t => $"{(string.IsNullOrEmpty(t.Key) ? "*" : t.Key)}{(t.OperatorProperty == "Exists" ? "" : "=" + t.Value)}{(string.IsNullOrEmpty(t.Effect) ? "" : ":" + t.Effect)}"))}");
                    }
                }
            }
        }
    }
}
