using Llmctl.Components.Gpu;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;

namespace Llmctl.Policies.Platform;

/// <summary>
/// k3s runs pods with runc unless told otherwise, so a pod that asks for <c>nvidia.com/gpu</c> without
/// <c>runtimeClassName</c> gets a GPU allocated that CUDA cannot see (reference §1.6).
/// </summary>
public sealed class GpuWorkloadsUseRuntimeClass : IResourcePolicy
{
    public const string PolicyName = "gpu-workloads-use-runtime-class";

    public string Name => PolicyName;
    public string Description => "Pods that use NVIDIA GPUs set runtimeClassName (nvidia on k3s).";
    public EnforcementLevel DefaultEnforcement => EnforcementLevel.Mandatory;

    public IEnumerable<string> Validate(Resource resource)
    {
        if (!resource.TryGetPodSpec(out var k8s, out var spec)) yield break;
        var nvidia = GpuVendor.Nvidia.ResourceName();
        var usesNvidia = resource.Annotations.OfType<GpuWorkload>().Any(w => w.Vendor == GpuVendor.Nvidia)
            || spec.AllContainers().Any(c => c.Resources?.Limits?.ContainsKey(nvidia) == true || c.Resources?.Requests?.ContainsKey(nvidia) == true);
        if (usesNvidia && string.IsNullOrWhiteSpace(spec.RuntimeClassName))
        {
            yield return $"{k8s.Kind} '{k8s.Object.Metadata?.Name}' uses {nvidia} but sets no runtimeClassName, so it would run with runc "
                + $"and CUDA would not see the GPU; set runtimeClassName: {NvidiaRuntime.DefaultName} in the pod spec";
        }
    }
}
