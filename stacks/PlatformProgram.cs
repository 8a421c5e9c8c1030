using k8s.Models;
using Llmctl.Components.Gpu;
using Llmctl.Components.Images;
using Llmctl.Components.Kubernetes;
using Llmctl.Components.Models;
using Llmctl.Engine.Model;
using Llmctl.Stacks.Compose;
using Llmctl.Stacks.Config;

namespace Llmctl.Stacks;

/// <summary>
/// The composition root: a typed <see cref="StackConfig"/> becomes components. GPU nodes get their semantic labels;
/// the <c>nvidia</c> RuntimeClass is declared when any node has NVIDIA hardware; the lanes get a namespace and one
/// component each. Runtimes other than llama.cpp throw <see cref="StackCompositionException"/> ("not supported yet")
/// rather than being skipped, so a lane in the stack file is never silently missing from the cluster.
/// </summary>
public static class PlatformProgram
{
    public static void Compose(StackContext ctx, StackConfig config, StackSecrets? secrets = null)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(config);
        var key = (string path) => $"{ctx.ProjectName}:{path}";
        ClusterComposer.Compose(ctx, config, secrets ?? StackSecrets.None);

        var nodes = new Dictionary<string, (GpuNodeConfig Config, GpuHardware Hardware)>(StringComparer.Ordinal);
        for (var i = 0; i < config.GpuNodes.Count; i++)
        {
            var node = config.GpuNodes[i];
            if (!HardwareCatalog.TryGet(node.Hardware, out var hardware))
            {
                throw new StackCompositionException(key($"gpuNodes[{i}].hardware"),
                    $"'{node.Hardware}' is not in the hardware catalog; use one of {HardwareCatalog.KnownKeys}");
            }
            if (!nodes.TryAdd(node.Name, (node, hardware)))
            {
                throw new StackCompositionException(key($"gpuNodes[{i}].name"), $"node '{node.Name}' is declared twice; give each GPU node once");
            }
        }

        var gpuNodes = nodes.Values
            .Select(n => new GpuNode(n.Config.Name, new GpuNodeArgs { Gpu = n.Hardware.For(n.Config.Name, UsableVramMiB(n.Config, config.GpuNodes.ToList().IndexOf(n.Config), n.Hardware, key)), Labels = n.Config.Labels }))
            .ToList();

        NvidiaRuntime? nvidia = nodes.Values.Any(n => n.Hardware.Vendor == GpuVendor.Nvidia)
            ? new NvidiaRuntime(NvidiaRuntime.DefaultName)
            : null;

        var lanes = ComposeLanes(ctx, config, nodes, nvidia, key);

        ctx.Export("gpuNodes", gpuNodes.Select(n => n.Name).ToArray());
        ctx.Export("lanesNamespace", config.Lanes.Namespace);
        // A list, not a map per node: a stack that breaks one-active-lane-per-gpu must still compose so the policy can report it.
        ctx.Export("activeLanes", lanes.Where(l => l.Args.Active).Select(l => l.Name).ToArray());
        ctx.Export("laneEndpoints", lanes.ToDictionary(l => l.Name, l => l.Endpoint));

        // Namespaces, CRDs and RBAC before what uses them (and after it on delete).
        KubernetesOrdering.Wire(ctx);
    }

    // Unified-memory machines have no fixed VRAM: the BIOS carve-out decides it, so the stack file must say it.
    private static int? UsableVramMiB(GpuNodeConfig node, int index, GpuHardware hardware, Func<string, string> key)
    {
        if (node.UsableVram is not { } usable)
        {
            return hardware.UnifiedMemory
                ? throw new StackCompositionException(key($"gpuNodes[{index}].usableVram"),
                    $"{hardware.DisplayName} shares system memory with its GPU; set usableVram to the BIOS carve-out (e.g. 94Gi)")
                : null;
        }
        var mib = (int)(usable.Value / (1024 * 1024));
        return mib <= 0 || mib > hardware.VramMiB
            ? throw new StackCompositionException(key($"gpuNodes[{index}].usableVram"),
                $"{usable.Text} is not between 1Mi and the {hardware.VramMiB}Mi {hardware.DisplayName} has")
            : mib;
    }

    private static List<LlamaCppLane> ComposeLanes(
        StackContext ctx,
        StackConfig config,
        Dictionary<string, (GpuNodeConfig Config, GpuHardware Hardware)> nodes,
        NvidiaRuntime? nvidia,
        Func<string, string> key)
    {
        var lanes = new List<LlamaCppLane>();
        if (config.Lanes.Items.Count == 0) return lanes;

        var ns = config.Lanes.Namespace;
        if (KubernetesNames.Dns1123LabelProblem(ns) is { } nsProblem) throw new StackCompositionException(key("lanes.namespace"), nsProblem);
        var laneNamespace = new KubernetesObject<V1Namespace>(ns, new V1Namespace
        {
            Metadata = new V1ObjectMeta { Name = ns, Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "llmctl" } },
        });

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.Lanes.Items.Count; i++)
        {
            var lane = config.Lanes.Items[i];
            var at = $"lanes.items[{i}]";
            if (!seen.Add(lane.Name)) throw new StackCompositionException(key($"{at}.name"), $"lane '{lane.Name}' is declared twice; lane names must be unique");
            if (lane.Runtime != LaneRuntime.LlamaCpp)
            {
                throw new StackCompositionException(key($"{at}.runtime"),
                    $"runtime '{lane.Runtime.ToString().ToLowerInvariant()}' is not supported yet; only llamacpp lanes can be composed today");
            }
            if (!nodes.TryGetValue(lane.Node, out var node))
            {
                throw new StackCompositionException(key($"{at}.node"),
                    $"lane '{lane.Name}' runs on node '{lane.Node}', which is not in gpuNodes; declare it there or use one of: {string.Join(", ", nodes.Keys)}");
            }
            if (node.Hardware.Vendor != GpuVendor.Nvidia || nvidia is null)
            {
                throw new StackCompositionException(key($"{at}.node"),
                    $"llamacpp lanes run the CUDA image and need an NVIDIA GPU; node '{lane.Node}' has {node.Hardware.DisplayName} (ROCm/Vulkan lanes are not supported yet)");
            }
            if (!ImageRef.TryParse(lane.Image, out var image, out var imageError)) throw new StackCompositionException(key($"{at}.image"), imageError);

            var args = new LlamaCppLaneArgs
            {
                Namespace = ns,
                Image = image,
                ModelFile = lane.Model,
                Alias = lane.Alias,
                CtxSize = lane.CtxSize,
                Active = lane.Active,
                Node = lane.Node,
                Parallel = lane.Parallel,
                CacheTypeK = CacheType(lane.CacheTypeK, key($"{at}.cacheTypeK")),
                CacheTypeV = CacheType(lane.CacheTypeV, key($"{at}.cacheTypeV")),
                GpuLayers = lane.GpuLayers,
                FlashAttn = lane.FlashAttn,
                Jinja = lane.Jinja,
                Port = lane.Port,
                ModelHostPath = node.Config.ModelDisk,
                RuntimeClassName = nvidia.RuntimeClassName,
                Resources = new ComputeResources
                {
                    CpuRequest = lane.Resources.Requests.Cpu,
                    MemoryRequest = lane.Resources.Requests.Memory,
                    CpuLimit = lane.Resources.Limits.Cpu,
                    MemoryLimit = lane.Resources.Limits.Memory,
                },
                ExtraArgs = lane.ExtraArgs,
            };
            lanes.Add(new LlamaCppLane(lane.Name, args, new ComponentResourceOptions { DependsOn = [laneNamespace, nvidia] }));
        }
        return lanes;
    }

    private static KvCacheType CacheType(string text, string keyPath) =>
        KvCacheTypes.TryParse(text, out var type)
            ? type.Value
            : throw new StackCompositionException(keyPath, $"'{text}' is not a llama.cpp KV cache type; use one of {string.Join(", ", KvCacheTypes.Flags)}");
}
