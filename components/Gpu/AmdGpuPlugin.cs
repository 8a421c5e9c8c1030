using System.Text.Json.Nodes;
using Llmctl.Components.Helm;
using Llmctl.Components.Images;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Gpu;

/// <summary>
/// ROCm's device plugin (<c>amd.com/gpu</c>) and node labeller as a HelmRelease of the <c>amd-gpu</c> chart. No
/// RuntimeClass: the plugin hands containers <c>/dev/kfd</c> and <c>/dev/dri</c> itself. Both DaemonSets run only on
/// nodes matching <see cref="AmdGpuPluginArgs.NodeSelector"/> and tolerate the dedicated-GPU taint.
/// </summary>
public sealed class AmdGpuPlugin : ComponentResource
{
    public const string TypeToken = "llmctl:gpu:AmdGpuPlugin";

    public AmdGpuPlugin(string name, AmdGpuPluginArgs? args = null, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        Args = args ?? new AmdGpuPluginArgs();
        ComponentArgumentException.ThrowIfAny(this, Validate(Args));

        Release = new HelmRelease(name, new HelmReleaseArgs
        {
            Chart = AmdGpuChart.Name,
            Repo = AmdGpuChart.Repo,
            Version = Args.ChartVersion,
            TargetNamespace = Args.Namespace,
            // kube-system always exists; creating it is never this release's job.
            CreateNamespace = Args.Namespace != "kube-system",
            Values = BuildValues(Args),
        }, new ComponentResourceOptions { Parent = this });

        var annotation = new DevicePluginRelease(GpuVendor.Amd, AmdGpuChart.Name, Args.ChartVersion, Args.Image?.ToString());
        Annotate(annotation);
        Release.Chart.Annotate(annotation);
        if (Args.Image is { } image) Release.Chart.Annotate(new ContainerImage("amd-gpu-dp-cntr", image));
        if (Args.LabellerImage is { } lbl && Args.NodeLabeller) Release.Chart.Annotate(new ContainerImage("amd-gpu-lr-cntr", lbl));
        // No digest of the pinned version's images could be verified: said plainly (chart-images-pinned), not guessed.
        if (Args.ChartVersion == AmdGpuChart.Version)
        {
            if (Args.Image is null && ChartImages.AmdDevicePlugin.Unverified() is { } dp) Release.Chart.Annotate(dp);
            if (Args.LabellerImage is null && Args.NodeLabeller && ChartImages.AmdNodeLabeller.Unverified() is { } labeller) Release.Chart.Annotate(labeller);
        }

        RegisterOutputs(new Dictionary<string, object?>
        {
            ["namespace"] = Args.Namespace,
            ["chartVersion"] = Args.ChartVersion,
            ["resourceName"] = GpuVendor.Amd.ResourceName(),
        });
    }

    public AmdGpuPluginArgs Args { get; }
    public HelmRelease Release { get; }
    public JsonObject Values => Release.Args.Values;

    /// <summary>The chart values for <paramref name="args"/> (the chart's snake_case keys: <c>node_selector_enabled</c>, <c>node_selector</c>).</summary>
    public static JsonObject BuildValues(AmdGpuPluginArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var values = new JsonObject
        {
            ["nfd"] = new JsonObject { ["enabled"] = args.NfdSubchart },
            ["labeller"] = new JsonObject { ["enabled"] = args.NodeLabeller },
            ["node_selector_enabled"] = true,
            ["node_selector"] = NodeSelector(args),
            ["tolerations"] = Tolerations(args),
        };
        if (args.Image is { } dp)
        {
            values["dp"] = new JsonObject { ["image"] = Image(dp) };
        }
        if (args.LabellerImage is { } lbl)
        {
            values["lbl"] = new JsonObject { ["image"] = Image(lbl) };
        }
        return values;
    }

    /// <summary>
    /// The chart's default <c>node_selector</c> carries NFD's <c>pci-0300_1002.present</c> label; Helm merges maps, so
    /// that key stays beside ours unless it is nulled — and on a stack without NFD (seed 000) nothing publishes it, so
    /// the DaemonSets would select no node. Our semantic labels say the same thing. <c>kubernetes.io/arch: amd64</c>
    /// stays: the kubelet publishes it.
    /// </summary>
    public static readonly IReadOnlyList<string> ChartSelectorKeysRemoved = [NodeFeatureDiscovery.PciLabel(PciClass.Vga, PciVendor.Amd)];

    private static JsonObject NodeSelector(AmdGpuPluginArgs args)
    {
        var selector = ChartSettings.Map(args.NodeSelector);
        foreach (var key in ChartSelectorKeysRemoved.Where(k => !selector.ContainsKey(k))) selector[key] = null;
        return selector;
    }

    private static JsonObject Image(ImageRef image)
    {
        var o = new JsonObject { ["tag"] = ChartSettings.TagWithDigest(image) };
        if (image.Repository != AmdGpuChart.ImageRepository) o["repository"] = image.Repository;
        return o;
    }

    private static JsonArray Tolerations(AmdGpuPluginArgs args)
    {
        var list = new JsonArray(ChartSettings.Exists("CriticalAddonsOnly"));
        if (args.TolerateDedicatedTaint)
        {
            list.Add((JsonNode)ChartSettings.Exists(GpuVendor.Amd.ResourceName(), "NoSchedule"));
            list.Add((JsonNode)ChartSettings.DedicatedGpuToleration());
        }
        return list;
    }

    private static List<ArgumentProblem> Validate(AmdGpuPluginArgs args)
    {
        var problems = new List<ArgumentProblem>();
        if (KubernetesNames.Dns1123LabelProblem(args.Namespace) is { } ns) problems.Add(new ArgumentProblem("namespace", ns));
        if (ChartSettings.ImageProblem("image", args.Image) is { } image) problems.Add(image);
        if (ChartSettings.ImageProblem("labellerImage", args.LabellerImage) is { } lbl) problems.Add(lbl);
        problems.AddRange(ChartSettings.LabelProblems("nodeSelector", args.NodeSelector));
        if (args.NodeSelector.Count == 0)
        {
            problems.Add(new ArgumentProblem("nodeSelector", $"must select AMD GPU nodes, e.g. {GpuLabels.Vendor}: amd; the chart's own selector alone matches any node with an AMD display controller"));
        }
        return problems;
    }
}
