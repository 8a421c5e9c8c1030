using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Llmctl.Components.Helm;
using Llmctl.Components.Images;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Gpu;

/// <summary>
/// Node Feature Discovery, installed once for the cluster (NFD's docs warn against copies inside other charts; the
/// device plugins' sub-charts stay off). Its PCI labels are what the device plugins' affinity and node selectors
/// match, and its master publishes GFD's <c>nvidia.com</c> labels.
/// </summary>
public sealed partial class NodeFeatureDiscovery : ComponentResource
{
    public const string TypeToken = "llmctl:gpu:NodeFeatureDiscovery";

    /// <summary>The fields NFD's pci source can put in a label name.</summary>
    public static readonly IReadOnlyList<string> KnownPciLabelFields = ["class", "vendor", "device", "subsystem_vendor", "subsystem_device"];

    public NodeFeatureDiscovery(string name, NodeFeatureDiscoveryArgs? args = null, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        Args = args ?? new NodeFeatureDiscoveryArgs();
        ComponentArgumentException.ThrowIfAny(this, Validate(Args));

        Release = new HelmRelease(name, new HelmReleaseArgs
        {
            Chart = NodeFeatureDiscoveryChart.Name,
            Repo = NodeFeatureDiscoveryChart.Repo,
            Version = Args.ChartVersion,
            TargetNamespace = Args.Namespace,
            Values = BuildValues(Args),
        }, new ComponentResourceOptions { Parent = this });
        if (Args.Image is { } image) Release.Chart.Annotate(new ContainerImage("node-feature-discovery", image));
        // No digest of the pinned version's image could be verified: said plainly (chart-images-pinned), not guessed.
        else if (Args.ChartVersion == NodeFeatureDiscoveryChart.Version && ChartImages.NodeFeatureDiscovery.Unverified() is { } unpinned) Release.Chart.Annotate(unpinned);

        RegisterOutputs(new Dictionary<string, object?>
        {
            ["namespace"] = Args.Namespace,
            ["chartVersion"] = Args.ChartVersion,
        });
    }

    public NodeFeatureDiscoveryArgs Args { get; }
    public HelmRelease Release { get; }
    public JsonObject Values => Release.Args.Values;

    /// <summary>The label NFD writes for a GPU of <paramref name="vendor"/> (<see cref="PciVendor"/>) in <paramref name="pciClass"/>, with the default label fields.</summary>
    public static string PciLabel(string pciClass, string vendor) => $"feature.node.kubernetes.io/pci-{pciClass}_{vendor}.present";

    public static JsonObject BuildValues(NodeFeatureDiscoveryArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var worker = new JsonObject
        {
            // worker.config is nfd-worker.conf itself (the chart leaves it empty; see its commented example).
            ["config"] = new JsonObject
            {
                ["sources"] = new JsonObject
                {
                    ["pci"] = new JsonObject
                    {
                        ["deviceClassWhitelist"] = Strings(args.PciDeviceClasses),
                        ["deviceLabelFields"] = Strings(args.PciLabelFields),
                    },
                },
            },
        };
        if (args.TolerateGpuTaints)
        {
            worker["tolerations"] = new JsonArray(
                ChartSettings.DedicatedGpuToleration(),
                ChartSettings.Exists(GpuVendor.Nvidia.ResourceName(), "NoSchedule"),
                ChartSettings.Exists(GpuVendor.Amd.ResourceName(), "NoSchedule"));
        }
        var values = new JsonObject
        {
            ["master"] = new JsonObject { ["extraLabelNs"] = Strings(args.ExtraLabelNamespaces) },
            ["worker"] = worker,
        };
        if (args.Image is { } image)
        {
            var img = new JsonObject { ["tag"] = ChartSettings.TagWithDigest(image) };
            if (image.Repository != NodeFeatureDiscoveryChart.ImageRepository) img["repository"] = image.Repository;
            values["image"] = img;
        }
        return values;
    }

    private static JsonArray Strings(IEnumerable<string> items) => new(items.Select(s => (JsonNode?)s).ToArray());

    private static List<ArgumentProblem> Validate(NodeFeatureDiscoveryArgs args)
    {
        var problems = new List<ArgumentProblem>();
        if (KubernetesNames.Dns1123LabelProblem(args.Namespace) is { } ns) problems.Add(new ArgumentProblem("namespace", ns));
        if (ChartSettings.ImageProblem("image", args.Image) is { } image) problems.Add(image);
        foreach (var label in args.ExtraLabelNamespaces.Where(n => !DnsSubdomain().IsMatch(n)))
        {
            problems.Add(new ArgumentProblem("extraLabelNamespaces", $"'{label}' is not a label namespace; write a DNS subdomain such as 'nvidia.com'"));
        }
        if (args.PciDeviceClasses.Count == 0)
        {
            problems.Add(new ArgumentProblem("pciDeviceClasses", $"must list at least one PCI class, e.g. {PciClass.Vga}; with none, NFD writes no GPU labels and no device plugin schedules"));
        }
        foreach (var c in args.PciDeviceClasses.Where(c => !PciClassPattern().IsMatch(c)))
        {
            problems.Add(new ArgumentProblem("pciDeviceClasses", $"'{c}' is not a PCI class; write 2 or 4 lowercase hex digits as lspci -n shows them, e.g. '0300'"));
        }
        foreach (var f in args.PciLabelFields.Where(f => !KnownPciLabelFields.Contains(f)))
        {
            problems.Add(new ArgumentProblem("pciLabelFields", $"'{f}' is not a PCI label field; use {string.Join(", ", KnownPciLabelFields)}"));
        }
        if (!args.PciLabelFields.Contains("vendor"))
        {
            problems.Add(new ArgumentProblem("pciLabelFields", "must include 'vendor': the device plugins select nodes by the GPU's PCI vendor id"));
        }
        return problems;
    }

    [GeneratedRegex("^[0-9a-f]{2}([0-9a-f]{2})?$")]
    private static partial Regex PciClassPattern();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
