using k8s.Models;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Kubernetes;

/// <summary>
/// Implicit ordering of Kubernetes objects declared in one stack (the heuristics Pulumi users asked for, reference
/// §6.4): a namespaced object after its Namespace, a custom resource after the CRD that defines its kind, a workload
/// after the RBAC objects of its namespace. Deletes run in reverse, so the Namespace goes last. Run it once, after
/// the program has declared everything. The engine runs steps in registration order and waits only on dependencies
/// registered earlier, so declare Namespaces, CRDs and RBAC before what uses them; a dependency on a later one is
/// still recorded (and orders deletes) but does not delay the create.
/// </summary>
public static class KubernetesOrdering
{
    private static readonly HashSet<string> WorkloadKinds = new(StringComparer.Ordinal)
    {
        "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod",
    };

    public static void Wire(StackContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var objects = ctx.Resources.OfType<IKubernetesObjectResource>().Where(o => !o.IsPatch).ToList();
        var namespaces = objects.Where(o => o.Object is V1Namespace).ToDictionary(o => o.Object.Metadata.Name, o => (Resource)o, StringComparer.Ordinal);
        var crds = new Dictionary<(string Group, string Kind), Resource>();
        foreach (var o in objects)
        {
            if (o.Object is V1CustomResourceDefinition { Spec: { } spec }) crds[(spec.Group, spec.Names.Kind)] = (Resource)o;
        }

        var rbacByNamespace = new Dictionary<string, IReadOnlyList<Resource>>(StringComparer.Ordinal);
        foreach (var o in objects)
        {
            var resource = (Resource)o;
            var ns = o.Object.Metadata?.NamespaceProperty;
            if (ns is not null && namespaces.TryGetValue(ns, out var nsObject) && !ReferenceEquals(nsObject, resource)) resource.DependOn(nsObject);

            var group = o.ApiVersion.Contains('/', StringComparison.Ordinal) ? o.ApiVersion[..o.ApiVersion.IndexOf('/', StringComparison.Ordinal)] : "";
            if (crds.TryGetValue((group, o.Kind), out var crd) && !ReferenceEquals(crd, resource)) resource.DependOn(crd);

            if (WorkloadKinds.Contains(o.Kind) && ns is not null)
            {
                if (!rbacByNamespace.TryGetValue(ns, out var rbacObjects)) rbacByNamespace[ns] = rbacObjects = RbacFor(objects, ns).ToList();
                foreach (var rbac in rbacObjects) resource.DependOn(rbac);
            }
        }
    }

    /// <summary>ServiceAccounts, Roles and RoleBindings of the namespace, ClusterRoleBindings naming a subject in it, and the ClusterRoles those bindings use.</summary>
    private static IEnumerable<Resource> RbacFor(List<IKubernetesObjectResource> objects, string ns)
    {
        var found = new List<Resource>();
        var clusterRoles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var o in objects)
        {
            switch (o.Object)
            {
                case V1ServiceAccount or V1Role when o.Object.Metadata?.NamespaceProperty == ns:
                    found.Add((Resource)o);
                    break;
                case V1RoleBinding rb when rb.Metadata?.NamespaceProperty == ns:
                    found.Add((Resource)o);
                    if (rb.RoleRef?.Kind == "ClusterRole") clusterRoles.Add(rb.RoleRef.Name);
                    break;
                case V1ClusterRoleBinding crb when crb.Subjects?.Any(s => s.NamespaceProperty == ns) == true:
                    found.Add((Resource)o);
                    if (crb.RoleRef?.Name is { } role) clusterRoles.Add(role);
                    break;
            }
        }
        found.AddRange(objects.Where(o => o.Object is V1ClusterRole cr && clusterRoles.Contains(cr.Metadata.Name)).Cast<Resource>());
        return found;
    }
}
