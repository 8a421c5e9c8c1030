using System.Text.Json.Nodes;
using Llmctl.Components.Helm;
using Llmctl.Components.Images;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Gpu;

/// <summary>
/// NVIDIA's device plugin (and GPU Feature Discovery) as a HelmRelease of the <c>nvidia-device-plugin</c> chart, with
/// the conservative settings of seed 002: <c>runtimeClassName: nvidia</c>, no MIG, env-var device lists, UUIDs, fail
/// on init error, only on <c>workload.ai/gpu=true</c> nodes, tolerating the dedicated-GPU taint. The component and
/// its HelmChart carry a <see cref="DevicePluginRelease"/> so maintenance-order policies can see a plugin change.
/// </summary>
public sealed class NvidiaDevicePlugin : ComponentResource
{
    public const string TypeToken = "llmctl:gpu:NvidiaDevicePlugin";
    /// <summary>The name of the plugin config the chart builds when time-slicing is on (<c>config.map</c> key).</summary>
    public const string TimeSlicingConfigName = "time-slicing";

    public NvidiaDevicePlugin(string name, NvidiaDevicePluginArgs? args = null, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        Args = args ?? new NvidiaDevicePluginArgs();
        ComponentArgumentException.ThrowIfAny(this, Validate(Args));

        Release = new HelmRelease(name, new HelmReleaseArgs
        {
            Chart = NvidiaDevicePluginChart.Name,
            Repo = NvidiaDevicePluginChart.Repo,
            Version = Args.ChartVersion,
            TargetNamespace = Args.Namespace,
            Values = BuildValues(Args),
        }, new ComponentResourceOptions { Parent = this });

        var plugin = Image(Args);
        var annotation = new DevicePluginRelease(GpuVendor.Nvidia, NvidiaDevicePluginChart.Name, Args.ChartVersion, plugin?.ToString());
        Annotate(annotation);
        Release.Chart.Annotate(annotation);
        if (plugin is { } image) Release.Chart.Annotate(new ContainerImage("nvidia-device-plugin-ctr", image));

        RegisterOutputs(new Dictionary<string, object?>
        {
            ["namespace"] = Args.Namespace,
            ["chartVersion"] = Args.ChartVersion,
            ["resourceName"] = ResourceName,
        });
    }

    public NvidiaDevicePluginArgs Args { get; }
    public HelmRelease Release { get; }
    /// <summary>The chart values this component sets.</summary>
    public JsonObject Values => Release.Args.Values;
    /// <summary>What GPU pods request: <c>nvidia.com/gpu</c>, or <c>nvidia.com/gpu.shared</c> when time-slicing renames it.</summary>
    public string ResourceName => Args.TimeSlicing is { RenameByDefault: true } ? "nvidia.com/gpu.shared" : GpuVendor.Nvidia.ResourceName();

    /// <summary>
    /// The plugin (and GFD) image: the stack's, else at the pinned chart version the digest-pinned
    /// <see cref="ChartImages.NvidiaDevicePlugin"/>; null (the chart's own tag) for another chart version.
    /// </summary>
    public static ImageRef? Image(NvidiaDevicePluginArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.Image ?? (args.ChartVersion == NvidiaDevicePluginChart.Version ? ChartImages.NvidiaDevicePlugin.Ref : null);
    }

    /// <summary>The chart values for <paramref name="args"/>; keys are the chart's own (see its values.yaml).</summary>
    public static JsonObject BuildValues(NvidiaDevicePluginArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var values = new JsonObject
        {
            ["runtimeClassName"] = args.RuntimeClassName,
            ["devicePlugin"] = new JsonObject { ["enabled"] = true },
            ["gfd"] = new JsonObject { ["enabled"] = args.GpuFeatureDiscovery },
            // Chart.yaml's dependency condition is `nfd.enabled,gfd.enabled`: with GFD on, the sub-chart installs
            // unless nfd.enabled is false, so it is always written out.
            ["nfd"] = new JsonObject { ["enabled"] = args.NfdSubchart },
            ["migStrategy"] = Wire(args.MigStrategy),
            ["failOnInitError"] = args.FailOnInitError,
            ["deviceListStrategy"] = Wire(args.DeviceListStrategy),
            ["deviceIDStrategy"] = Wire(args.DeviceIdStrategy),
            ["nodeSelector"] = ChartSettings.Map(args.NodeSelector),
            ["tolerations"] = Tolerations(args),
        };
        if (Image(args) is { } image)
        {
            var img = new JsonObject { ["tag"] = ChartSettings.TagWithDigest(image) };
            if (image.Repository != NvidiaDevicePluginChart.ImageRepository) img["repository"] = image.Repository;
            values["image"] = img;
        }
        // The chart's default affinity wants feature.node.kubernetes.io/pci-10de.present, a label only an NFD with
        // deviceLabelFields [vendor] writes (its own sub-chart). llmctl's NodeFeatureDiscovery keeps NFD's default
        // <class>_<vendor> labels, so the terms are widened to both forms (terms are ORed; the list replaces the default).
        if (!args.NfdSubchart) values["affinity"] = Affinity();
        if (args.TimeSlicing is { } sharing) values["config"] = TimeSlicingConfig(sharing);
        return values;
    }

    /// <summary>The plugin's config file for time-slicing (the chart's <c>config.map</c> format, <c>version: v1</c>).</summary>
    public static string TimeSlicingConfigFile(NvidiaTimeSlicing sharing)
    {
        ArgumentNullException.ThrowIfNull(sharing);
        return HelmRelease.ValuesYaml(new JsonObject
        {
            ["version"] = "v1",
            ["sharing"] = new JsonObject
            {
                ["timeSlicing"] = new JsonObject
                {
                    ["renameByDefault"] = sharing.RenameByDefault,
                    ["failRequestsGreaterThanOne"] = sharing.FailRequestsGreaterThanOne,
                    ["resources"] = new JsonArray(new JsonObject
                    {
                        ["name"] = GpuVendor.Nvidia.ResourceName(),
                        ["replicas"] = sharing.Replicas,
                    }),
                },
            },
        });
    }

    private static JsonObject TimeSlicingConfig(NvidiaTimeSlicing sharing) => new()
    {
        ["map"] = new JsonObject { [TimeSlicingConfigName] = TimeSlicingConfigFile(sharing) },
        ["default"] = TimeSlicingConfigName,
    };

    private static JsonArray Tolerations(NvidiaDevicePluginArgs args)
    {
        var list = new JsonArray(
            ChartSettings.Exists("CriticalAddonsOnly"),
            ChartSettings.Exists(GpuVendor.Nvidia.ResourceName(), "NoSchedule"));
        if (args.TolerateDedicatedTaint) list.Add((JsonNode)ChartSettings.DedicatedGpuToleration());
        return list;
    }

    private static JsonObject Affinity()
    {
        static JsonObject Term(string key, string value) => new()
        {
            ["matchExpressions"] = new JsonArray(new JsonObject
            {
                ["key"] = key,
                ["operator"] = "In",
                ["values"] = new JsonArray(value),
            }),
        };
        return new JsonObject
        {
            ["nodeAffinity"] = new JsonObject
            {
                ["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonObject
                {
                    ["nodeSelectorTerms"] = new JsonArray(
                        Term($"feature.node.kubernetes.io/pci-{PciClass.Vga}_{PciVendor.Nvidia}.present", "true"),
                        Term($"feature.node.kubernetes.io/pci-{PciClass.ThreeD}_{PciVendor.Nvidia}.present", "true"),
                        Term($"feature.node.kubernetes.io/pci-{PciVendor.Nvidia}.present", "true"),
                        Term("feature.node.kubernetes.io/cpu-model.vendor_id", "NVIDIA"),
                        Term("nvidia.com/gpu.present", "true")),
                },
            },
        };
    }

    private static string Wire(NvidiaMigStrategy s) => s.ToString().ToLowerInvariant();
    private static string Wire(NvidiaDeviceIdStrategy s) => s.ToString().ToLowerInvariant();
    private static string Wire(NvidiaDeviceListStrategy s) => s switch
    {
        NvidiaDeviceListStrategy.Envvar => "envvar",
        NvidiaDeviceListStrategy.VolumeMounts => "volume-mounts",
        NvidiaDeviceListStrategy.CdiAnnotations => "cdi-annotations",
        NvidiaDeviceListStrategy.CdiCri => "cdi-cri",
        _ => throw new ArgumentOutOfRangeException(nameof(s), s, null),
    };

    private static List<ArgumentProblem> Validate(NvidiaDevicePluginArgs args)
    {
        var problems = new List<ArgumentProblem>();
        if (KubernetesNames.Dns1123LabelProblem(args.Namespace) is { } ns) problems.Add(new ArgumentProblem("namespace", ns));
        if (KubernetesNames.Dns1123LabelProblem(args.RuntimeClassName) is { } rc)
        {
            problems.Add(new ArgumentProblem("runtimeClassName", rc + "; k3s's NVIDIA RuntimeClass is 'nvidia'"));
        }
        if (ChartSettings.ImageProblem("image", args.Image) is { } image) problems.Add(image);
        problems.AddRange(ChartSettings.LabelProblems("nodeSelector", args.NodeSelector));
        if (args.NodeSelector.Count == 0)
        {
            problems.Add(new ArgumentProblem("nodeSelector", $"must select GPU nodes, e.g. {GpuLabels.Gpu}: \"true\"; an empty selector runs the plugin on every node"));
        }
        if (args.TimeSlicing is { Replicas: < 2 } ts)
        {
            problems.Add(new ArgumentProblem("timeSlicing.replicas", $"must be at least 2, not {ts.Replicas}; for whole GPUs leave timeSlicing unset"));
        }
        return problems;
    }
}
