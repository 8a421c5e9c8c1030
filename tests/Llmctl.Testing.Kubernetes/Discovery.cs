using System.Text.Json.Nodes;

namespace Llmctl.Testing.Kubernetes;

/// <summary>
/// The legacy discovery documents <c>kubectl</c> reads before it can map a kind to a URL: <c>/api</c>,
/// <c>/api/v1</c>, <c>/apis</c> and <c>/apis/{group}/{version}</c>, built from the served types (CRDs included).
/// The aggregated (v2) form is not offered; kubectl falls back to these when the answer is plain JSON.
/// </summary>
internal static class Discovery
{
    private static readonly string[] Verbs = ["create", "delete", "get", "list", "patch", "update"];

    /// <summary>The short names a real server advertises for the built-in kinds (<c>kubectl get deploy</c>).</summary>
    private static readonly Dictionary<string, string[]> ShortNames = new(StringComparer.Ordinal)
    {
        ["Namespace"] = ["ns"], ["Node"] = ["no"], ["PersistentVolume"] = ["pv"], ["Service"] = ["svc"], ["Endpoints"] = ["ep"],
        ["ConfigMap"] = ["cm"], ["ServiceAccount"] = ["sa"], ["Pod"] = ["po"], ["PersistentVolumeClaim"] = ["pvc"],
        ["Deployment"] = ["deploy"], ["StatefulSet"] = ["sts"], ["DaemonSet"] = ["ds"], ["ReplicaSet"] = ["rs"], ["CronJob"] = ["cj"],
        ["Ingress"] = ["ing"], ["NetworkPolicy"] = ["netpol"], ["StorageClass"] = ["sc"], ["PriorityClass"] = ["pc"],
        ["PodDisruptionBudget"] = ["pdb"], ["CustomResourceDefinition"] = ["crd", "crds"],
    };

    public static JsonObject? Answer(string path, ObjectStore store)
    {
        var parts = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts switch
        {
            ["api"] => new JsonObject
            {
                ["kind"] = "APIVersions",
                ["versions"] = new JsonArray("v1"),
                ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = "127.0.0.1" }),
            },
            ["api", "v1"] => ResourceList("v1", Served(store).Where(t => t.Type.Group.Length == 0)),
            ["apis"] => GroupList(store),
            ["openapi", "v3"] => OpenApiRoot(store),
            ["openapi", "v3", "api", "v1"] => OpenApiGroupVersion("", "v1", store),
            ["openapi", "v3", "apis", var group, var version] => OpenApiGroupVersion(group, version, store),
            ["apis", var group, var version] => Served(store).Any(t => t.Type.Group == group && t.Versions.Contains(version))
                ? ResourceList($"{group}/{version}", Served(store).Where(t => t.Type.Group == group && t.Versions.Contains(version)))
                : null,
            _ => null,
        };
    }

    /// <summary>Every served type with its versions: the built-ins at v1, and each stored CRD's served versions.</summary>
    private static List<(ApiResource Type, IReadOnlyList<string> Versions)> Served(ObjectStore store)
    {
        var served = BuiltinResources.All.Select(t => (t, (IReadOnlyList<string>)["v1"])).ToList();
        foreach (var crd in store.All().Where(o => o.Type.Kind == "CustomResourceDefinition"))
        {
            var spec = crd.Object["spec"];
            var group = spec?["group"]?.GetValue<string>();
            var plural = spec?["names"]?["plural"]?.GetValue<string>();
            if (group is null || plural is null || store.Resolve(group, plural) is not { } type) continue;
            var versions = (spec?["versions"] as JsonArray ?? [])
                .Where(v => v?["served"]?.GetValue<bool>() != false)
                .Select(v => v?["name"]?.GetValue<string>()).OfType<string>().ToList();
            served.Add((type, versions.Count > 0 ? versions : ["v1"]));
        }
        return served;
    }

    private static JsonObject GroupList(ObjectStore store)
    {
        var groups = Served(store).Where(t => t.Type.Group.Length > 0)
            .GroupBy(t => t.Type.Group, StringComparer.Ordinal)
            .Select(g =>
            {
                var versions = g.SelectMany(t => t.Versions).Distinct(StringComparer.Ordinal).ToList();
                return (JsonNode)new JsonObject
                {
                    ["name"] = g.Key,
                    ["versions"] = new JsonArray(versions.Select(v => (JsonNode)VersionEntry(g.Key, v)).ToArray()),
                    ["preferredVersion"] = VersionEntry(g.Key, versions[0]),
                };
            });
        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = new JsonArray(groups.ToArray()) };
    }

    /// <summary>
    /// The OpenAPI v3 index: one document per group-version. kubectl reads it to learn that the server validates
    /// fields itself (the <c>fieldValidation</c> query parameter), so <c>kubectl apply</c> needs no client-side schema.
    /// </summary>
    private static JsonObject OpenApiRoot(ObjectStore store)
    {
        var paths = new JsonObject();
        foreach (var (type, versions) in Served(store))
        {
            foreach (var version in versions)
            {
                var key = type.Group.Length == 0 ? $"api/{version}" : $"apis/{type.Group}/{version}";
                paths[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}?hash=fake" };
            }
        }
        return new JsonObject { ["paths"] = paths };
    }

    /// <summary>One group-version's operations, as far as kubectl looks: each kind's PATCH, with its GVK and fieldValidation.</summary>
    private static JsonObject? OpenApiGroupVersion(string group, string version, ObjectStore store)
    {
        var types = Served(store).Where(t => t.Type.Group == group && t.Versions.Contains(version)).ToList();
        if (types.Count == 0) return null;
        var paths = new JsonObject();
        foreach (var (type, _) in types)
        {
            var prefix = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
            var path = type.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{type.Plural}/{{name}}" : $"{prefix}/{type.Plural}/{{name}}";
            paths[path] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["operationId"] = $"patch{type.Kind}",
                    ["parameters"] = new JsonArray(
                        Parameter("dryRun"), Parameter("fieldManager"), Parameter("fieldValidation"), Parameter("force")),
                    ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
                    ["x-kubernetes-action"] = "patch",
                    ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = type.Kind },
                },
            };
        }
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes (llmctl fake)", ["version"] = "v1.33.0" },
            ["paths"] = paths,
        };
    }

    private static JsonObject Parameter(string name) => new()
    {
        ["name"] = name,
        ["in"] = "query",
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };

    private static JsonObject VersionEntry(string group, string version) => new() { ["groupVersion"] = $"{group}/{version}", ["version"] = version };

    private static JsonObject ResourceList(string groupVersion, IEnumerable<(ApiResource Type, IReadOnlyList<string> Versions)> types) => new()
    {
        ["kind"] = "APIResourceList",
        ["apiVersion"] = "v1",
        ["groupVersion"] = groupVersion,
        ["resources"] = new JsonArray(types.Select(t => (JsonNode)new JsonObject
        {
            ["name"] = t.Type.Plural,
            ["singularName"] = t.Type.Kind.ToLowerInvariant(),
            ["namespaced"] = t.Type.Namespaced,
            ["kind"] = t.Type.Kind,
            ["verbs"] = new JsonArray(Verbs.Select(v => (JsonNode)v).ToArray()),
            ["shortNames"] = new JsonArray((ShortNames.GetValueOrDefault(t.Type.Kind) ?? []).Select(n => (JsonNode)n).ToArray()),
        }).ToArray()),
    };
}
