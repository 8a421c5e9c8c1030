using Llmctl.Components.Gpu;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;

namespace Llmctl.Policies.Platform;

/// <summary>
/// The GPU contract of seed 002 for every pod that uses a GPU (by its requests or its <see cref="GpuWorkload"/>):
/// GPU requests equal limits (extended resources cannot be overcommitted) and match what the workload needs;
/// <c>runtimeClassName</c> on NVIDIA pods, naming a RuntimeClass the stack declares with its handler
/// (<see cref="RuntimeHandler"/>); the semantic node selector <c>workload.ai/gpu: "true"</c>; placement on a GPU node
/// of the stack (its labels matched, its taints tolerated); and <c>Recreate</c> for Deployments holding a single GPU,
/// which the old pod must release before the new one is admitted.
/// </summary>
public sealed class GpuContract : IStackPolicy
{
    public const string PolicyName = "gpu-contract";
    private static readonly string[] GpuResources = [GpuVendor.Nvidia.ResourceName(), GpuVendor.Amd.ResourceName()];

    public string Name => PolicyName;
    public string Description => "GPU pods: requests equal limits, runtimeClassName on NVIDIA, the semantic node selector, the GPU taint tolerated, Recreate for single-GPU lanes.";
    public EnforcementLevel DefaultEnforcement => EnforcementLevel.Mandatory;

    public IEnumerable<PolicyFinding> Validate(StackContext stack)
    {
        var handlers = stack.Resources.SelectMany(r => r.Annotations.OfType<RuntimeHandler>()).DistinctBy(h => h.RuntimeClassName).ToList();
        var nodes = Lanes.Nodes(stack).ToList();
        foreach (var workload in Workload.All(stack))
        {
            foreach (var problem in Check(workload, handlers, nodes)) yield return (problem, workload.Owner.Urn);
        }
    }

    private static IEnumerable<string> Check(Workload workload, List<RuntimeHandler> handlers, List<GpuNode> nodes)
    {
        var annotation = workload.Find<GpuWorkload>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var container in workload.Containers)
        {
            foreach (var gpu in GpuResources)
            {
                var request = Workload.Amount(container, "requests", gpu);
                var limit = Workload.Amount(container, "limits", gpu);
                if (request is not null || limit is not null) used.Add(gpu);
                if (request is not null && limit is null)
                {
                    yield return $"{workload.Display} container '{container["name"]}' requests {gpu}: {request} without a limit; set limits.{gpu}: {request} as well";
                }
                else if (request is not null && request != limit)
                {
                    yield return $"{workload.Display} container '{container["name"]}' requests {gpu}: {request} but limits it to {limit}; GPUs cannot be overcommitted, so set both to the same whole number";
                }
            }
        }
        if (annotation is not null)
        {
            used.Add(annotation.ResourceName);
            var asked = workload.Containers.Sum(c => int.TryParse(Workload.Amount(c, "limits", annotation.ResourceName), out var n) ? n : 0);
            if (asked != annotation.Count)
            {
                yield return $"{workload.Display} is a GPU workload needing {annotation.Count} {annotation.ResourceName} but its containers limit {asked}; "
                    + $"set requests and limits of {annotation.ResourceName} to {annotation.Count}";
            }
        }
        if (used.Count == 0) yield break;

        if (used.Contains(GpuVendor.Nvidia.ResourceName()))
        {
            var runtimeClass = workload.RuntimeClassName;
            if (string.IsNullOrWhiteSpace(runtimeClass))
            {
                yield return $"{workload.Display} uses {GpuVendor.Nvidia.ResourceName()} but sets no runtimeClassName, so it would run with runc and CUDA would "
                    + $"not see the GPU; set runtimeClassName: {NvidiaRuntime.DefaultName} in the pod spec";
            }
            else if (handlers.Count > 0 && !handlers.Any(h => h.Vendor == GpuVendor.Nvidia && h.RuntimeClassName == runtimeClass))
            {
                yield return $"{workload.Display} runs with RuntimeClass '{runtimeClass}', which the stack does not declare for NVIDIA GPUs; use "
                    + string.Join(" or ", handlers.Where(h => h.Vendor == GpuVendor.Nvidia).Select(h => $"'{h.RuntimeClassName}' (handler {h.Handler})"));
            }
        }
        var selector = workload.PodSpec["nodeSelector"]?[GpuLabels.Gpu]?.ToString();
        if (selector != "true")
        {
            yield return $"{workload.Display} uses a GPU but does not select GPU nodes by their semantic label; add nodeSelector {GpuLabels.Gpu}: \"true\"";
        }
        else if (nodes.Count > 0 && !nodes.Any(workload.CanRunOn))
        {
            var untolerated = nodes.SelectMany(n => n.Taints).Where(t => !workload.Tolerates(t)).Select(t => $"{t.Key}={t.Value}:{t.Effect}").Distinct().ToList();
            yield return untolerated.Count > 0
                ? $"{workload.Display} cannot be scheduled on any GPU node: it does not tolerate {string.Join(", ", untolerated)}; add the toleration"
                : $"{workload.Display} cannot be scheduled on any GPU node of the stack: its node selector or affinity matches none of {string.Join(", ", nodes.Select(n => n.Gpu.Node))}";
        }
        if (workload.Kind == "Deployment" && annotation is { Count: 1 } && workload.Object["spec"]?["strategy"]?["type"]?.ToString() != "Recreate")
        {
            yield return $"{workload.Display} holds a single GPU but rolls out with {workload.Object["spec"]?["strategy"]?["type"]?.ToString() ?? "RollingUpdate"}: "
                + "the new pod would wait for the GPU the old one holds; set strategy.type: Recreate";
        }
    }
}
