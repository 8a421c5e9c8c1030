using System.Diagnostics.CodeAnalysis;
using k8s;
using k8s.Models;

namespace Llmctl.Components.Kubernetes;

/// <summary>Reaches the pod spec inside the workload kinds, for policies that check containers.</summary>
public static class PodSpecs
{
    /// <summary>The pod spec of a Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob; null otherwise.</summary>
    public static V1PodSpec? PodSpecOf(IKubernetesObject? obj) => obj switch
    {
        V1Pod p => p.Spec,
        V1Deployment d => d.Spec?.Template?.Spec,
        V1StatefulSet s => s.Spec?.Template?.Spec,
        V1DaemonSet ds => ds.Spec?.Template?.Spec,
        V1ReplicaSet rs => rs.Spec?.Template?.Spec,
        V1Job j => j.Spec?.Template?.Spec,
        V1CronJob cj => cj.Spec?.JobTemplate?.Spec?.Template?.Spec,
        _ => null,
    };

    /// <summary>Init containers then containers; never null.</summary>
    public static IEnumerable<V1Container> AllContainers(this V1PodSpec spec) =>
        (spec.InitContainers ?? []).Concat(spec.Containers ?? []);

    /// <summary>The typed object of a Kubernetes object resource and its pod spec, if it has one.</summary>
    public static bool TryGetPodSpec(
        this Engine.Model.Resource resource,
        [NotNullWhen(true)] out IKubernetesObjectResource? k8sObject,
        [NotNullWhen(true)] out V1PodSpec? spec)
    {
        if (resource is IKubernetesObjectResource k && PodSpecOf(k.Object) is { } s)
        {
            k8sObject = k;
            spec = s;
            return true;
        }
        k8sObject = null;
        spec = null;
        return false;
    }
}
