using Llmctl.Components.Gpu;
using Llmctl.Components.Images;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;
using Llmctl.Stacks.Config;

namespace Llmctl.Stacks.Compose;

/// <summary>A GPU node as composed: its stack-file entry, its catalog hardware and its index in <c>gpuNodes</c>.</summary>
public sealed record ComposedGpuNode(GpuNodeConfig Config, GpuHardware Hardware, int Index, GpuNode Node);

/// <summary>What the GPU layer gives the layers above it: the nodes, the NVIDIA RuntimeClass, and the device plugins.</summary>
public sealed record GpuLayer(
    IReadOnlyDictionary<string, ComposedGpuNode> Nodes,
    NvidiaRuntime? Nvidia,
    IReadOnlyList<Resource> DevicePlugins)
{
    public bool Has(GpuVendor vendor) => Nodes.Values.Any(n => n.Hardware.Vendor == vendor);
}

/// <summary>
/// GPU nodes get their semantic labels (and the dedicated taint); the <c>nvidia</c> RuntimeClass is declared when any
/// node has NVIDIA hardware; with a <c>gpu:</c> section, the device plugin of each vendor present and Node Feature
/// Discovery are installed. Lanes depend on the device plugins, so a fresh cluster advertises its GPUs before a lane asks.
/// </summary>
public static class GpuComposer
{
    public static GpuLayer Compose(StackContext ctx, StackConfig config)
    {
        var key = (string path) => $"{ctx.ProjectName}:{path}";
        var nodes = new Dictionary<string, ComposedGpuNode>(StringComparer.Ordinal);
        // Every node's hardware is resolved before any is refused, so two bad nodes are both reported.
        var problems = new List<CompositionProblem>();
        for (var i = 0; i < config.GpuNodes.Count; i++)
        {
            var node = config.GpuNodes[i];
            if (HardwareCatalog.Resolve(node, out var problem, out var problemKey) is null)
            {
                // A node that names no hardware at all is reported at the node; a wrong key at that key's value.
                var at = problemKey == "hardware" && node.Hardware is null ? $"gpuNodes[{i}]" : $"gpuNodes[{i}].{problemKey}";
                problems.Add(new CompositionProblem(key(at), problem!));
            }
            // The node's own labels go onto the Node as they are: the Kubernetes label rules (GpuNode checks them too).
            foreach (var (label, value) in node.Labels)
            {
                if ((KubernetesNames.LabelKeyProblem(label) ?? KubernetesNames.LabelValueProblem(value)) is { } labelProblem)
                {
                    problems.Add(new CompositionProblem(key($"gpuNodes[{i}].labels[\"{label}\"]"), labelProblem));
                }
            }
        }
        if (problems.Count > 0) throw new StackCompositionException(problems);
        for (var i = 0; i < config.GpuNodes.Count; i++)
        {
            var node = config.GpuNodes[i];
            var hardware = HardwareCatalog.Resolve(node, out _, out _)!;
            if (nodes.ContainsKey(node.Name))
            {
                throw new StackCompositionException(key($"gpuNodes[{i}].name"), $"node '{node.Name}' is declared twice; give each GPU node once");
            }
            var gpu = hardware.For(node.Name, UsableVramMiB(node, i, hardware, key));
            var gpuNode = new GpuNode(node.Name, new GpuNodeArgs { Gpu = gpu, Labels = node.Labels, Taint = node.Taint });
            var cpu = node.Allocatable?.Cpu ?? (node.Cpu > 0 ? Engine.Config.Quantity.Parse(node.Cpu.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null);
            var memory = node.Allocatable?.Memory ?? node.Memory;
            if (cpu is not null || memory is not null) gpuNode.Annotate(new NodeAllocatable(node.Name, cpu, memory));
            nodes.Add(node.Name, new ComposedGpuNode(node, hardware, i, gpuNode));
        }

        var layer = new GpuLayer(nodes, null, []);
        var nvidia = layer.Has(GpuVendor.Nvidia) ? new NvidiaRuntime(NvidiaRuntime.DefaultName) : null;
        var plugins = new List<Resource>();
        if (config.Gpu is { } gpuConfig && nodes.Count > 0)
        {
            var plugin = gpuConfig.DevicePlugin;
            if (nvidia is not null && layer.Has(GpuVendor.Amd) && (plugin.Image ?? plugin.Version) is not null)
            {
                throw new StackCompositionException(key("gpu.devicePlugin"), "image and version name one vendor's plugin, and gpuNodes mixes NVIDIA and AMD; leave them out to use the pinned defaults");
            }
            if (plugin.Enabled && nvidia is not null)
            {
                var args = new NvidiaDevicePluginArgs
                {
                    Image = Image(plugin.Image, key("gpu.devicePlugin.image")),
                    RuntimeClassName = nvidia.RuntimeClassName,
                    GpuFeatureDiscovery = plugin.GpuFeatureDiscovery,
                    FailOnInitError = plugin.FailOnInitError,
                    TimeSlicing = plugin.TimeSlicing is { } replicas ? new NvidiaTimeSlicing(replicas) : null,
                };
                if (plugin.Version is { } version) args = args with { ChartVersion = version };
                plugins.Add(new NvidiaDevicePlugin("nvidia-device-plugin", args, new ComponentResourceOptions { DependsOn = [nvidia] }));
            }
            if (plugin.Enabled && layer.Has(GpuVendor.Amd))
            {
                if (plugin.TimeSlicing is not null && nvidia is null)
                {
                    throw new StackCompositionException(key("gpu.devicePlugin.timeSlicing"), "time-slicing is an NVIDIA device-plugin setting; the ROCm plugin has none, so leave it out");
                }
                var args = new AmdGpuPluginArgs { Image = Image(plugin.Image, key("gpu.devicePlugin.image")) };
                if (plugin.Version is { } version) args = args with { ChartVersion = version };
                plugins.Add(new AmdGpuPlugin("amd-gpu", args));
            }
            if (gpuConfig.Nfd.Enabled)
            {
                var args = new NodeFeatureDiscoveryArgs { Image = Image(gpuConfig.Nfd.Image, key("gpu.nfd.image")) };
                if (gpuConfig.Nfd.Version is { } version) args = args with { ChartVersion = version };
                plugins.Add(new NodeFeatureDiscovery("node-feature-discovery", args));
            }
        }
        return layer with { Nvidia = nvidia, DevicePlugins = plugins };
    }

    private static ImageRef? Image(string? text, string keyPath) =>
        text is null ? null
        : ImageRef.TryParse(text, out var image, out var error) ? image
        : throw new StackCompositionException(keyPath, error);

    // Unified-memory machines have no fixed VRAM: the BIOS carve-out decides it, so the stack file must say it (as
    // usableVram, or as gpus.memory declared inline).
    internal static int? UsableVramMiB(GpuNodeConfig node, int index, GpuHardware hardware, Func<string, string> key)
    {
        if (node.UsableVram is not { } usable)
        {
            return hardware.UnifiedMemory && node.Gpus?.Memory is null
                ? throw new StackCompositionException(key($"gpuNodes[{index}].usableVram"),
                    $"{hardware.DisplayName} shares system memory with its GPU; set usableVram to the BIOS carve-out (e.g. 94Gi)")
                : null;
        }
        // Declared wins over the catalog: a modded 48 GB 3090, or a carve-out the catalog cannot know.
        var mib = usable.Value / (1024 * 1024);
        return mib is <= 0 or > int.MaxValue
            ? throw new StackCompositionException(key($"gpuNodes[{index}].usableVram"), $"{usable.Text} is not a GPU memory size")
            : (int)mib;
    }
}
