using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;

namespace Llmctl.Policies.Charts;

/// <summary>
/// Every ServiceMonitor — llmctl's and every chart's — selects at least one Service that the stack really makes
/// (its own or a chart's rendered one): in a selected namespace, with matching labels, a port of the endpoint's name,
/// and a name its <c>keep</c> relabelings on <c>__meta_kubernetes_service_name</c> let through. A monitor whose
/// candidate namespaces hold a release that could not be rendered is not judged (<c>charts-rendered</c> says so).
/// </summary>
public sealed class ServiceMonitorTargets : IStackPolicy
{
    public const string PolicyName = "servicemonitor-targets";

    public string Name => PolicyName;
    public string Description => "Every ServiceMonitor selects a Service some release or llmctl itself really creates.";
    public EnforcementLevel DefaultEnforcement => EnforcementLevel.Mandatory;

    public IEnumerable<PolicyFinding> Validate(StackContext stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var objects = StackObjects.Of(stack).All;
        var serviceObjects = new List<ClusterObject>();
        var monitors = new List<ClusterObject>();
        foreach (var o in objects)
        {
            var kind = o.Kind;
            if (kind == "Service") serviceObjects.Add(o);
            else if (kind == "ServiceMonitor") monitors.Add(o);
        }
        // Without a ServiceMonitor there is nothing to check: the Services' labels and pod specs are not read.
        if (monitors.Count == 0) yield break;
        var services = serviceObjects.Select(o => (o.Name, o.Namespace, o.Labels, o.Json)).ToList();
        services.AddRange(ClusterProvidedServices(objects));
        // Releases whose objects are unknown: not rendered (no helm, not cached, not renderable) or not expanded at all.
        var unrendered = stack.Resources.OfType<CustomResource>()
            .Where(r => r.Type == "kubernetes:helm.cattle.io/v1:HelmChart" && !r.Annotations.OfType<RenderedChildren>().Any())
            .Select(r => ClusterObject.TextOf(r.Inputs["spec"]?["targetNamespace"]))
            .Where(ns => ns is not null).ToHashSet(StringComparer.Ordinal);
        foreach (var monitor in monitors)
        {
            var spec = monitor.Json["spec"] as JsonObject ?? new JsonObject();
            var namespaces = Namespaces(spec, monitor.Namespace);
            if (namespaces is null ? unrendered.Count > 0 : namespaces.Any(unrendered.Contains)) continue;
            var endpoints = (spec["endpoints"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            var candidates = services.Where(s => (namespaces is null || namespaces.Contains(s.Namespace ?? "")) && LabelsMatch(spec["selector"] as JsonObject, s.Labels)).ToList();
            var targets = candidates.Where(s => endpoints.Count == 0 || endpoints.Any(e => EndpointMatches(e, s))).ToList();
            if (targets.Count > 0) continue;
            var seen = candidates.Count == 0
                ? $"no Service in {(namespaces is null ? "any namespace" : string.Join(", ", namespaces))} has its labels"
                : $"Services {string.Join(", ", candidates.Select(c => c.Name))} match its labels but not its endpoint port or service-name filter";
            yield return ($"{monitor.Describe()} selects no Service the stack creates: {seen}. Point it at the Service the release renders (`llmctl render --expand-charts` lists them).", monitor.Owner.Urn);
        }
    }

    /// <summary>
    /// Services the cluster makes rather than a manifest: <c>default/kubernetes</c> (the API server, labels
    /// <c>component=apiserver</c>, <c>provider=kubernetes</c>, port <c>https</c>) and the kubelet Service that
    /// prometheus-operator maintains when started with <c>--kubelet-service=&lt;ns&gt;/&lt;name&gt;</c> (labels
    /// <c>app.kubernetes.io/name=kubelet</c>, <c>k8s-app=kubelet</c>; ports <c>https-metrics</c>, <c>http-metrics</c>, <c>cadvisor</c>).
    /// </summary>
    public static IEnumerable<(string Name, string? Namespace, IReadOnlyDictionary<string, string> Labels, JsonObject Json)> ClusterProvidedServices(IEnumerable<ClusterObject> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        yield return Service("kubernetes", "default", new Dictionary<string, string> { ["component"] = "apiserver", ["provider"] = "kubernetes" }, ["https"]);
        // llmctl's own objects are serialized from typed objects, so their pod spec reads back; one whose spec has no
        // string starting with the flag has no such argument, and is not read again (thousands of lanes on a large stack).
        // A chart's object is read as it is: its pod spec is the one the other chart policies read.
        foreach (var o in objects.Where(o => (o.FromChart || MentionsFlag(o.Json["spec"])) && o.PodSpec is not null))
        {
            foreach (var arg in o.PodSpec!.AllContainers().SelectMany(c => c.Args ?? []))
            {
                if (!arg.StartsWith(KubeletServiceFlag, StringComparison.Ordinal)) continue;
                var parts = arg[KubeletServiceFlag.Length..].Split('/', 2);
                if (parts.Length != 2) continue;
                yield return Service(parts[1], parts[0], new Dictionary<string, string>
                {
                    ["app.kubernetes.io/name"] = "kubelet",
                    ["k8s-app"] = "kubelet",
                    ["app.kubernetes.io/managed-by"] = "prometheus-operator",
                }, ["https-metrics", "http-metrics", "cadvisor"]);
            }
        }
    }

    private const string KubeletServiceFlag = "--kubelet-service=";

    // A JSON string that starts with the flag, as the object's text holds it (the writer never escapes these bytes).
    private static readonly byte[] FlagUtf8 = "\"--kubelet-service="u8.ToArray();

    /// <summary>
    /// Whether some string in <paramref name="node"/> may start with <see cref="KubeletServiceFlag"/>: a scan of its
    /// JSON text (<see cref="JsonText.MayContain"/>), which never misses one; the pod spec's arguments decide.
    /// </summary>
    private static bool MentionsFlag(JsonNode? node) => node is not null && JsonText.MayContain(node, FlagUtf8);

    private static (string, string?, IReadOnlyDictionary<string, string>, JsonObject) Service(string name, string ns, Dictionary<string, string> labels, string[] ports) =>
        (name, ns, labels, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = new JsonObject { ["ports"] = new JsonArray(ports.Select(p => (JsonNode?)new JsonObject { ["name"] = p }).ToArray()) },
        });

    /// <summary>The namespaces a ServiceMonitor looks in; null for any.</summary>
    private static HashSet<string>? Namespaces(JsonObject spec, string? own)
    {
        var selector = spec["namespaceSelector"] as JsonObject;
        if (selector?["any"] is JsonValue any && any.TryGetValue<bool>(out var all) && all) return null;
        if (selector?["matchNames"] is JsonArray names && names.Count > 0)
        {
            return names.Select(n => ClusterObject.TextOf(n) ?? "").ToHashSet(StringComparer.Ordinal);
        }
        return [own ?? "default"];
    }

    private static bool LabelsMatch(JsonObject? selector, IReadOnlyDictionary<string, string> labels)
    {
        if (selector is null) return true;
        foreach (var (key, value) in selector["matchLabels"] as JsonObject ?? [])
        {
            if (!labels.TryGetValue(key, out var actual) || actual != ClusterObject.TextOf(value)) return false;
        }
        foreach (var e in (selector["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var key = ClusterObject.TextOf(e["key"]) ?? "";
            var values = (e["values"] as JsonArray ?? []).Select(v => ClusterObject.TextOf(v)).ToList();
            var has = labels.TryGetValue(key, out var v);
            var ok = ClusterObject.TextOf(e["operator"]) switch
            {
                "In" => has && values.Contains(v),
                "NotIn" => !has || !values.Contains(v),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok) return false;
        }
        return true;
    }

    private static bool EndpointMatches(JsonObject endpoint, (string Name, string? Namespace, IReadOnlyDictionary<string, string> Labels, JsonObject Json) service)
    {
        if (ClusterObject.TextOf(endpoint["port"]) is { } port)
        {
            var ports = (service.Json["spec"]?["ports"] as JsonArray ?? []).Select(p => ClusterObject.TextOf(p?["name"]));
            if (!ports.Contains(port)) return false;
        }
        foreach (var r in (endpoint["relabelings"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var sources = (r["sourceLabels"] as JsonArray ?? []).Select(s => ClusterObject.TextOf(s)).ToList();
            if (ClusterObject.TextOf(r["action"]) is "keep" && sources.SequenceEqual(["__meta_kubernetes_service_name"]))
            {
                var regex = ClusterObject.TextOf(r["regex"]) ?? "(.*)";
                if (!Regex.IsMatch(service.Name, $"^(?:{regex})$", RegexOptions.None, TimeSpan.FromSeconds(1))) return false;
            }
        }
        return true;
    }
}
