using Llmctl.Components.Gpu;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;

namespace Llmctl.Policies.Platform;

/// <summary>
/// GPUs are extended resources: Kubernetes accepts only a limit, or a request equal to the limit. A resource that says
/// it is a <see cref="GpuWorkload"/> must also ask for its GPUs, or it lands on the node without one.
/// </summary>
public sealed class GpuRequestsEqualLimits : IResourcePolicy
{
    public const string PolicyName = "gpu-requests-equal-limits";
    private static readonly string[] GpuResources = [GpuVendor.Nvidia.ResourceName(), GpuVendor.Amd.ResourceName()];

    public string Name => PolicyName;
    public string Description => "nvidia.com/gpu and amd.com/gpu requests equal their limits, and GPU workloads ask for their GPUs.";
    public EnforcementLevel DefaultEnforcement => EnforcementLevel.Mandatory;

    public IEnumerable<string> Validate(Resource resource)
    {
        if (!resource.TryGetPodSpec(out var k8s, out var spec)) yield break;
        var name = $"{k8s.Kind} '{k8s.Object.Metadata?.Name}'";
        foreach (var container in spec.AllContainers())
        {
            foreach (var gpu in GpuResources)
            {
                var request = container.Resources?.Requests?.TryGetValue(gpu, out var r) == true ? r?.ToString() : null;
                var limit = container.Resources?.Limits?.TryGetValue(gpu, out var l) == true ? l?.ToString() : null;
                if (request is not null && limit is null)
                {
                    yield return $"{name} container '{container.Name}' requests {gpu}: {request} without a limit; set limits.{gpu}: {request} as well";
                }
                else if (request is not null && request != limit)
                {
                    yield return $"{name} container '{container.Name}' requests {gpu}: {request} but limits it to {limit}; GPUs cannot be overcommitted, so set both to the same whole number";
                }
            }
        }
        foreach (var workload in resource.Annotations.OfType<GpuWorkload>())
        {
            var asked = spec.AllContainers().Sum(c =>
                c.Resources?.Limits?.TryGetValue(workload.ResourceName, out var q) == true && int.TryParse(q?.ToString(), out var n) ? n : 0);
            if (asked != workload.Count)
            {
                yield return $"{name} is a GPU workload needing {workload.Count} {workload.ResourceName} but its containers limit {asked}; "
                    + $"set requests and limits of {workload.ResourceName} to {workload.Count}";
            }
        }
    }
}
