using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Kubernetes;

/// <summary>
/// One Kubernetes object the stack puts in the cluster: either llmctl's own (a <see cref="IKubernetesObjectResource"/>)
/// or one a chart renders (a <see cref="RenderedChildren"/> object of a HelmChart, applied by helm-controller).
/// Policies that check objects (images, scheduling, ServiceMonitor targets) read <see cref="ClusterObjects.All"/> and
/// so see chart-made objects exactly like llmctl's own.
/// </summary>
public sealed class ClusterObject
{
    private readonly Lazy<V1PodSpec?> _podSpec;

    internal ClusterObject(Resource owner, JsonObject json, RenderedChildren? chart)
    {
        Owner = owner;
        Json = json;
        Chart = chart;
        _podSpec = new Lazy<V1PodSpec?>(() => ReadPodSpec(json));
    }

    /// <summary>The resource itself, or the HelmChart whose chart renders this object.</summary>
    public Resource Owner { get; }
    public JsonObject Json { get; }
    /// <summary>The chart expansion this object comes from; null for llmctl's own objects.</summary>
    public RenderedChildren? Chart { get; }
    public bool FromChart => Chart is not null;
    public string Kind => Text(Json["kind"]) ?? "";
    public string ApiVersion => Text(Json["apiVersion"]) ?? "";
    public string Name => Text(Json["metadata"]?["name"]) ?? "";
    public string? Namespace => Text(Json["metadata"]?["namespace"]);
    /// <summary>The pod template's spec of a workload kind (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob).</summary>
    public V1PodSpec? PodSpec => _podSpec.Value;

    /// <summary><c>DaemonSet nvidia-device-plugin/nvdp-nvidia-device-plugin (rendered by the chart of …)</c>.</summary>
    public string Describe() =>
        $"{Kind} {(Namespace is null ? "" : Namespace + "/")}{Name}" + (FromChart ? $" (rendered from {Chart!.Source} for release '{Owner.Urn.Name}')" : "");

    public IReadOnlyDictionary<string, string> Labels =>
        Json["metadata"]?["labels"] is JsonObject o
            ? o.Where(kv => kv.Value is JsonValue).ToDictionary(kv => kv.Key, kv => kv.Value!.ToString(), StringComparer.Ordinal)
            : new Dictionary<string, string>();

    public static string? TextOf(JsonNode? node) => Text(node);

    internal static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static readonly JsonTypeInfo<V1PodSpec> PodSpecInfo = (JsonTypeInfo<V1PodSpec>)KubernetesModelJson.Options.GetTypeInfo(typeof(V1PodSpec));

    private static V1PodSpec? ReadPodSpec(JsonObject json)
    {
        var template = Text(json["kind"]) switch
        {
            "Pod" => json["spec"],
            "Deployment" or "StatefulSet" or "DaemonSet" or "ReplicaSet" or "Job" => json["spec"]?["template"]?["spec"],
            "CronJob" => json["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"],
            _ => null,
        };
        if (template is not JsonObject spec) return null;
        try
        {
            // Read straight from the node, with the options the objects were written with: their type metadata is
            // already built, and no JSON text is made in between.
            return spec.Deserialize(PodSpecInfo);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

public static class ClusterObjects
{
    /// <summary>Every Kubernetes object of the stack, llmctl's own first, then each chart's rendered objects.</summary>
    public static IEnumerable<ClusterObject> All(StackContext stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        foreach (var resource in stack.Resources)
        {
            if (resource is IKubernetesObjectResource && resource is CustomResource custom) yield return new ClusterObject(resource, custom.Inputs, null);
        }
        foreach (var resource in stack.Resources)
        {
            foreach (var expansion in resource.Annotations.OfType<RenderedChildren>())
            {
                foreach (var o in expansion.Objects) yield return new ClusterObject(resource, o, expansion);
            }
        }
    }

    /// <summary>The objects rendered from charts only.</summary>
    public static IEnumerable<ClusterObject> FromCharts(StackContext stack) => All(stack).Where(o => o.FromChart);
}
