namespace Llmctl.Testing.Kubernetes;

/// <summary>One served resource type: where it lives in the URL space and whether it is namespaced.</summary>
public sealed record ApiResource(string Group, string Kind, string Plural, bool Namespaced)
{
    public string Key => $"{Group}/{Plural}";
}

/// <summary>
/// The resource types the fake serves out of the box (what a fresh k3s serves, helm.cattle.io included); types
/// defined by a stored CustomResourceDefinition are served once it is applied, and 404 before, like a real server.
/// </summary>
internal static class BuiltinResources
{
    public static readonly IReadOnlyList<ApiResource> All =
    [
        new("", "Namespace", "namespaces", false),
        new("", "Node", "nodes", false),
        new("", "PersistentVolume", "persistentvolumes", false),
        new("", "Service", "services", true),
        new("", "Endpoints", "endpoints", true),
        new("", "ConfigMap", "configmaps", true),
        new("", "Secret", "secrets", true),
        new("", "ServiceAccount", "serviceaccounts", true),
        new("", "Pod", "pods", true),
        new("", "PersistentVolumeClaim", "persistentvolumeclaims", true),
        new("apps", "Deployment", "deployments", true),
        new("apps", "StatefulSet", "statefulsets", true),
        new("apps", "DaemonSet", "daemonsets", true),
        new("apps", "ReplicaSet", "replicasets", true),
        new("batch", "Job", "jobs", true),
        new("batch", "CronJob", "cronjobs", true),
        new("rbac.authorization.k8s.io", "Role", "roles", true),
        new("rbac.authorization.k8s.io", "RoleBinding", "rolebindings", true),
        new("rbac.authorization.k8s.io", "ClusterRole", "clusterroles", false),
        new("rbac.authorization.k8s.io", "ClusterRoleBinding", "clusterrolebindings", false),
        new("node.k8s.io", "RuntimeClass", "runtimeclasses", false),
        new("networking.k8s.io", "Ingress", "ingresses", true),
        new("networking.k8s.io", "NetworkPolicy", "networkpolicies", true),
        new("storage.k8s.io", "StorageClass", "storageclasses", false),
        new("scheduling.k8s.io", "PriorityClass", "priorityclasses", false),
        new("policy", "PodDisruptionBudget", "poddisruptionbudgets", true),
        new("coordination.k8s.io", "Lease", "leases", true),
        new("apiextensions.k8s.io", "CustomResourceDefinition", "customresourcedefinitions", false),
        new("helm.cattle.io", "HelmChart", "helmcharts", true),
        new("helm.cattle.io", "HelmChartConfig", "helmchartconfigs", true),
    ];
}
