using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text.Json.Nodes;
using k8s.Models;
using Llmctl.Components.Certificates;
using Llmctl.Components.Gpu;
using Llmctl.Components.Helm;
using Llmctl.Components.Kubernetes;
using Llmctl.Components.Observability;
using Llmctl.Engine.Config;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;

namespace Llmctl.Policies.Platform;

/// <summary>
/// A Kubernetes object with a pod template, read from its JSON (what the cluster receives), so every object is seen
/// the same way: typed objects of components, customized ones, and objects a chart renders. <see cref="Owner"/> is
/// the resource itself, or for a rendered object the release that makes it (then <see cref="Rendered"/> is true and
/// the owner's annotations are not the object's).
/// </summary>
public sealed record Workload(Resource Owner, JsonObject Object, string Kind, string Name, string? Namespace, JsonObject PodSpec, bool Rendered = false)
{
    /// <summary><c>Deployment 'qwen36-35b-gguf-fast'</c>.</summary>
    public string Display => Rendered ? $"{Kind} '{Name}' (rendered for release '{Owner.Urn.Name}')" : $"{Kind} '{Name}'";

    /// <summary>The pods it runs at once: <c>spec.replicas</c> (default 1), a Job's parallelism, one per node for a DaemonSet.</summary>
    public int Replicas => Kind switch
    {
        "DaemonSet" or "Pod" or "CronJob" => 1,
        "Job" => Int(Object["spec"]?["parallelism"]) ?? 1,
        _ => Int(Object["spec"]?["replicas"]) ?? 1,
    };

    public IEnumerable<JsonObject> Containers => Array(PodSpec["initContainers"]).Concat(Array(PodSpec["containers"]));

    public string? RuntimeClassName => PodSpec["runtimeClassName"]?.GetValue<string>();

    /// <summary>An annotation of the object (a component's own objects carry them; rendered objects carry none).</summary>
    public T? Find<T>() where T : class, IResourceAnnotation => Rendered ? null : Owner.Annotations.Find<T>();

    public IEnumerable<T> OfType<T>() where T : IResourceAnnotation => Rendered ? [] : Owner.Annotations.OfType<T>();

    /// <summary>The quantity a container asks for (<c>requests</c>) or is capped at (<c>limits</c>) of <paramref name="resource"/>.</summary>
    public static string? Amount(JsonObject container, string kind, string resource) =>
        container["resources"]?[kind]?[resource] is JsonValue v ? v.ToString() : null;

    /// <summary>Every object with a pod template, in registration order (read once per policy run, see <see cref="PolicyMemo"/>).</summary>
    public static IEnumerable<Workload> All(StackContext stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return PolicyMemo.IsOpenFor(stack)
            ? PolicyMemo.Get(stack, s => new StackWorkloads(s)).All.Items()
            : stack.Resources.SelectMany(Read);
    }

    /// <summary>
    /// The workloads <paramref name="resource"/> puts in the cluster: itself when it is a Kubernetes object with a pod
    /// spec (not a patch), then every workload its chart renders (a HelmChart's <see cref="RenderedChildren"/>, added
    /// by chart expansion at preview) with the release as owner and <see cref="Rendered"/> set, so every workload policy
    /// (pinned-digests, gpu-contract, node-budget, no-plain-secrets…) sees chart-made pods without a change of its own.
    /// Read once per resource during a policy run (<see cref="PolicyMemo"/>).
    /// </summary>
    public static IEnumerable<Workload> Of(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return PolicyMemo.Current is { } memo
            ? PolicyMemo.Get(memo.Stack, s => new StackWorkloads(s)).Of(resource).Items()
            : Read(resource);
    }

    private static IEnumerable<Workload> Read(Resource resource)
    {
        if (resource is CustomResource custom && custom.Type.StartsWith("kubernetes:", StringComparison.Ordinal) && !custom.Type.EndsWith("Patch", StringComparison.Ordinal)
            && !HasNoPodTemplate(resource) && FromJson(resource, custom.Inputs, rendered: false) is { } own)
        {
            yield return own;
        }
        foreach (var expansion in resource.Annotations.OfType<RenderedChildren>())
        {
            foreach (var child in expansion.Objects)
            {
                if (FromJson(resource, child, rendered: true) is { } made) yield return made;
            }
        }
    }

    /// <summary>
    /// The workloads of one stack, read once during a policy run: per resource as it is first asked for, and all of them
    /// in registration order. Reading an object can throw (a malformed one); then what was read before it is kept with
    /// the exception, and enumerating yields those and throws it again, exactly where reading it afresh would.
    /// </summary>
    internal sealed class StackWorkloads(StackContext stack)
    {
        private readonly Dictionary<Resource, ReadOnce<Workload>> _byResource = new(ReferenceEqualityComparer.Instance);
        private ReadOnce<Workload>? _all;
        private ReadOnce<LaneWorkload>? _lanes;

        public ReadOnce<Workload> Of(Resource resource)
        {
            if (!_byResource.TryGetValue(resource, out var read))
            {
                read = ReadOnce<Workload>.From(Workload.Read(resource));
                _byResource.Add(resource, read);
            }
            return read;
        }

        public ReadOnce<Workload> All => _all ??= ReadOnce<Workload>.From(stack.Resources.SelectMany(r => Of(r).Items()));

        public ReadOnce<LaneWorkload> Lanes => _lanes ??= ReadOnce<LaneWorkload>.From(Platform.Lanes.Read(All.Items()));
    }

    /// <summary>A sequence read once: its items, and the exception that ended it early, if one did.</summary>
    internal sealed class ReadOnce<T>
    {
        private readonly T[] _items;
        private readonly ExceptionDispatchInfo? _failure;

        private ReadOnce(T[] items, ExceptionDispatchInfo? failure)
        {
            _items = items;
            _failure = failure;
        }

        public static ReadOnce<T> From(IEnumerable<T> source)
        {
            var items = new List<T>();
            try
            {
                foreach (var item in source) items.Add(item);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return new ReadOnce<T>([.. items], ExceptionDispatchInfo.Capture(ex));
            }
            return new ReadOnce<T>([.. items], null);
        }

        /// <summary>The items, then the exception again when reading them threw.</summary>
        public IEnumerable<T> Items() => _failure is null ? _items : ItemsThenFailure();

        private IEnumerable<T> ItemsThenFailure()
        {
            foreach (var item in _items) yield return item;
            _failure!.Throw();
        }
    }

    /// <summary>
    /// A typed object of a kind that never has a pod template (a Service, a Namespace, a ConfigMap…): its JSON is that
    /// object's, so it is not read (on a large stack, thousands of Services). Kinds not listed are read.
    /// </summary>
    private static bool HasNoPodTemplate(Resource resource) => resource is IKubernetesObjectResource
    {
        Object: V1Service or V1Namespace or V1ConfigMap or V1Secret or V1RuntimeClass or V1CustomResourceDefinition
            or V1HelmChart or V1HelmChartConfig or V1ClusterIssuer or V1Certificate or V1ServiceMonitor or V1PrometheusRule,
    };

    /// <summary>The workload a Kubernetes object's JSON describes, or null when it has no pod template.</summary>
    public static Workload? FromJson(Resource owner, JsonObject json, bool rendered)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(json);
        var kind = json["kind"] is JsonValue k && k.TryGetValue<string>(out var kindText) ? kindText : owner.Type.Split(':').Last();
        var spec = json["spec"] as JsonObject;
        var podSpec = kind == "Pod" ? spec
            : spec?["template"]?["spec"] as JsonObject ?? spec?["jobTemplate"]?["spec"]?["template"]?["spec"] as JsonObject;
        if (podSpec?["containers"] is not JsonArray) return null;
        return new Workload(owner, json, kind, json["metadata"]?["name"]?.ToString() ?? owner.Name, json["metadata"]?["namespace"]?.ToString(), podSpec, rendered);
    }

    /// <summary>
    /// Whether the scheduler could place this pod on <paramref name="node"/>: every nodeSelector label matches, the
    /// required node affinity is met, and every NoSchedule/NoExecute taint is tolerated.
    /// </summary>
    public bool CanRunOn(GpuNode node)
    {
        var labels = new NodeLabels(node);
        if (PodSpec["nodeSelector"] is JsonObject selector
            && selector.Any(kv => !labels.TryGetValue(kv.Key, out var value) || value != kv.Value?.ToString()))
        {
            return false;
        }
        if (PodSpec["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"] is JsonArray { Count: > 0 } terms
            && !terms.OfType<JsonObject>().Any(term => Array(term["matchExpressions"]).All(e => Matches(e, labels))))
        {
            return false;
        }
        return node.Taints.Where(t => t.Effect is "NoSchedule" or "NoExecute").All(Tolerates);
    }

    /// <summary>Whether a toleration of the pod matches <paramref name="taint"/> (Kubernetes' rules: Exists, Equal, empty key).</summary>
    public bool Tolerates(k8s.Models.V1Taint taint) => Array(PodSpec["tolerations"]).Any(t =>
    {
        var key = t["key"]?.ToString();
        var op = t["operator"]?.ToString() ?? "Equal";
        var effect = t["effect"]?.ToString();
        if (!string.IsNullOrEmpty(effect) && effect != taint.Effect) return false;
        if (string.IsNullOrEmpty(key)) return op == "Exists";
        if (key != taint.Key) return false;
        return op == "Exists" || (t["value"]?.ToString() ?? "") == (taint.Value ?? "");
    });

    /// <summary>A node's labels as the scheduler sees them: its declared labels, and its name as <c>kubernetes.io/hostname</c>.</summary>
    private readonly struct NodeLabels(GpuNode node)
    {
        public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out string value)
        {
            if (key == GpuLabels.Hostname)
            {
                value = node.Gpu.Node;
                return true;
            }
            return node.Labels.TryGetValue(key, out value);
        }
    }

    private static bool Matches(JsonObject expression, NodeLabels labels)
    {
        var key = expression["key"]?.ToString() ?? "";
        var values = Array(expression["values"]).Select(v => v.ToString()).ToHashSet(StringComparer.Ordinal);
        var has = labels.TryGetValue(key, out var value);
        return expression["operator"]?.ToString() switch
        {
            "In" => has && values.Contains(value!),
            "NotIn" => !has || !values.Contains(value!),
            "Exists" => has,
            "DoesNotExist" => !has,
            _ => false,
        };
    }

    private static IEnumerable<JsonObject> Array(JsonNode? node) => node is JsonArray a ? a.OfType<JsonObject>() : [];

    private static int? Int(JsonNode? node) =>
        node is JsonValue v && int.TryParse(v.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>A Kubernetes quantity in its base unit (cores, bytes), or null when it is absent or not one.</summary>
    public static decimal? Value(string? quantity) =>
        quantity is not null && Quantity.TryParse(quantity, out var q, out _) ? q.Value : null;
}
