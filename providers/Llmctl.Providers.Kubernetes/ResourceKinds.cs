using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Llmctl.Providers.Kubernetes;

/// <summary>Where a kind lives in the API: group, version, plural and whether it is namespaced.</summary>
internal sealed record KindInfo(string Group, string Version, string Kind, string Plural, bool Namespaced)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
}

/// <summary>
/// apiVersion/kind → group/version/plural: a table of the kinds llmctl uses, then CRDs this provider has seen (a
/// CRD declared in the same stack is diffed or applied before its custom resources), then the API's own rule for
/// simple names (lowercase; <c>y</c> → <c>ies</c>; <c>s</c>/<c>x</c>/<c>ch</c> → <c>es</c>; else <c>s</c>).
/// </summary>
internal sealed class ResourceKinds
{
    private static readonly Dictionary<string, (string Plural, bool Namespaced)> Known = new(StringComparer.Ordinal)
    {
        ["/Namespace"] = ("namespaces", false),
        ["/Node"] = ("nodes", false),
        ["/PersistentVolume"] = ("persistentvolumes", false),
        ["/Service"] = ("services", true),
        ["/Endpoints"] = ("endpoints", true),
        ["/ConfigMap"] = ("configmaps", true),
        ["/Secret"] = ("secrets", true),
        ["/ServiceAccount"] = ("serviceaccounts", true),
        ["/Pod"] = ("pods", true),
        ["/PersistentVolumeClaim"] = ("persistentvolumeclaims", true),
        ["/LimitRange"] = ("limitranges", true),
        ["/ResourceQuota"] = ("resourcequotas", true),
        ["apps/Deployment"] = ("deployments", true),
        ["apps/StatefulSet"] = ("statefulsets", true),
        ["apps/DaemonSet"] = ("daemonsets", true),
        ["apps/ReplicaSet"] = ("replicasets", true),
        ["batch/Job"] = ("jobs", true),
        ["batch/CronJob"] = ("cronjobs", true),
        ["rbac.authorization.k8s.io/Role"] = ("roles", true),
        ["rbac.authorization.k8s.io/RoleBinding"] = ("rolebindings", true),
        ["rbac.authorization.k8s.io/ClusterRole"] = ("clusterroles", false),
        ["rbac.authorization.k8s.io/ClusterRoleBinding"] = ("clusterrolebindings", false),
        ["node.k8s.io/RuntimeClass"] = ("runtimeclasses", false),
        ["networking.k8s.io/Ingress"] = ("ingresses", true),
        ["networking.k8s.io/IngressClass"] = ("ingressclasses", false),
        ["networking.k8s.io/NetworkPolicy"] = ("networkpolicies", true),
        ["storage.k8s.io/StorageClass"] = ("storageclasses", false),
        ["scheduling.k8s.io/PriorityClass"] = ("priorityclasses", false),
        ["policy/PodDisruptionBudget"] = ("poddisruptionbudgets", true),
        ["autoscaling/HorizontalPodAutoscaler"] = ("horizontalpodautoscalers", true),
        ["apiextensions.k8s.io/CustomResourceDefinition"] = ("customresourcedefinitions", false),
        ["admissionregistration.k8s.io/ValidatingWebhookConfiguration"] = ("validatingwebhookconfigurations", false),
        ["admissionregistration.k8s.io/MutatingWebhookConfiguration"] = ("mutatingwebhookconfigurations", false),
        ["helm.cattle.io/HelmChart"] = ("helmcharts", true),
        ["helm.cattle.io/HelmChartConfig"] = ("helmchartconfigs", true),
    };

    private readonly ConcurrentDictionary<string, (string Plural, bool Namespaced)> _learned = new(StringComparer.Ordinal);

    public KindInfo Resolve(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/');
        var (group, version) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
        var key = $"{group}/{kind}";
        var (plural, namespaced) = Known.TryGetValue(key, out var known) ? known
            : _learned.TryGetValue(key, out var learned) ? learned
            : (Pluralize(kind), true);
        return new KindInfo(group, version, kind, plural, namespaced);
    }

    /// <summary>Remembers the plural and scope a CustomResourceDefinition declares.</summary>
    public void Learn(JsonObject crd)
    {
        var spec = crd["spec"];
        if (spec?["group"]?.GetValue<string>() is not { } group || spec["names"]?["kind"]?.GetValue<string>() is not { } kind) return;
        var plural = spec["names"]?["plural"]?.GetValue<string>() ?? Pluralize(kind);
        _learned[$"{group}/{kind}"] = (plural, spec["scope"]?.GetValue<string>() != "Cluster");
    }

    public static string Pluralize(string kind)
    {
        var lower = kind.ToLowerInvariant();
        if (lower.EndsWith('y') && lower.Length > 1 && !"aeiou".Contains(lower[^2])) return lower[..^1] + "ies";
        if (lower.EndsWith('s') || lower.EndsWith('x') || lower.EndsWith("ch", StringComparison.Ordinal) || lower.EndsWith("sh", StringComparison.Ordinal)) return lower + "es";
        return lower + "s";
    }
}
