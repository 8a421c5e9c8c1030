using Llmctl.Engine.Planning;
using Llmctl.Engine.Providers;

namespace Llmctl.Providers.Kubernetes;

/// <summary>
/// Fields the API server refuses to change in place. A change to one of them is a replace; the old object must go
/// first because the new one has the same name.
/// </summary>
internal static class ImmutableFields
{
    private static readonly Dictionary<string, string[]> ByKind = new(StringComparer.Ordinal)
    {
        ["apps/Deployment"] = ["spec.selector"],
        ["apps/StatefulSet"] = ["spec.selector", "spec.serviceName", "spec.volumeClaimTemplates", "spec.podManagementPolicy"],
        ["apps/DaemonSet"] = ["spec.selector"],
        ["batch/Job"] = ["spec.template", "spec.selector"],
        ["/Service"] = ["spec.clusterIP", "spec.clusterIPs"],
        ["/PersistentVolumeClaim"] = ["spec.storageClassName", "spec.accessModes", "spec.selector", "spec.volumeName"],
        ["rbac.authorization.k8s.io/RoleBinding"] = ["roleRef"],
        ["rbac.authorization.k8s.io/ClusterRoleBinding"] = ["roleRef"],
        ["node.k8s.io/RuntimeClass"] = ["handler"],
        ["storage.k8s.io/StorageClass"] = ["provisioner", "parameters", "reclaimPolicy", "volumeBindingMode"],
    };

    /// <summary>Changing these makes it a different object: replace, but the two can coexist.</summary>
    private static readonly string[] Identity = ["metadata.name", "metadata.namespace", "kind", "apiVersion"];

    /// <summary>The diff with replacements marked, or null when no change forces one.</summary>
    public static DiffResult? Check(KindInfo kind, IReadOnlyList<PropertyDiff> diffs)
    {
        var immutable = ByKind.GetValueOrDefault($"{kind.Group}/{kind.Kind}", []).Select(PropertyPaths.Parse).ToList();
        var identity = Identity.Select(PropertyPaths.Parse).ToList();
        var replace = new List<string>();
        var identityChanged = false;
        var marked = diffs.Select(d =>
        {
            var path = PropertyPaths.Parse(d.Path);
            var isIdentity = identity.Any(p => PropertyPaths.IsAtOrUnder(path, p));
            if (!isIdentity && !immutable.Any(p => PropertyPaths.IsAtOrUnder(path, p))) return d;
            identityChanged |= isIdentity;
            replace.Add(d.Path);
            return d with
            {
                Kind = d.Kind switch { DiffKind.Add => DiffKind.AddReplace, DiffKind.Delete => DiffKind.DeleteReplace, _ => DiffKind.UpdateReplace },
            };
        }).ToList();
        if (replace.Count == 0) return null;
        var changed = marked.Select(d => InputDiff.TopLevelKey(d.Path)).Distinct().ToList();
        return new DiffResult(changed, replace, marked, DeleteBeforeReplace: !identityChanged);
    }
}
