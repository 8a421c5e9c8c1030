using System.Text.Json.Nodes;
using Llmctl.Components.Helm;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Certificates;

/// <summary>
/// cert-manager from the jetstack chart with its CRDs (<c>crds.enabled: true</c>), in its own namespace. Issuers,
/// Certificates and solver Secrets need it: make them depend on this component.
/// </summary>
public sealed class CertManager : ComponentResource
{
    public const string TypeToken = "llmctl:certificates:CertManager";
    public const string ChartName = "cert-manager";
    public const string ChartRepo = "https://charts.jetstack.io";
    /// <summary>
    /// The newest release the reference copy knows. The values.yaml and CRDs the tests check against are from master
    /// just after v1.21.1 (upstream/SOURCES.md), so the keys used here are those of v1.21.1.
    /// </summary>
    public const string ChartVersion = "v1.21.1";
    /// <summary>The pinned chart (its digest is in charts.lock.yaml).</summary>
    public static readonly ChartRef PinnedChart = new(ChartName, ChartRepo, ChartVersion);
    public const string DefaultNamespace = "cert-manager";

    public CertManager(string name, CertManagerArgs? args = null, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        Args = args ?? new CertManagerArgs();
        ComponentArgumentException.ThrowIfAny(this, Validate(Args));
        Release = new HelmRelease(name, new HelmReleaseArgs
        {
            Chart = ChartName,
            Repo = ChartRepo,
            Version = Args.Version,
            TargetNamespace = Args.Namespace,
            Values = Values(Args),
            Timeout = Args.Timeout,
        }, new ComponentResourceOptions { Parent = this, DependsOn = RawOptions.DependsOn });
        // The HTTP-01 solver image (a controller argument) has no verifiable digest: named, not guessed.
        if (Args.Version == ChartVersion && ChartImages.CertManagerAcmeSolver.Unverified() is { } solver) Release.Chart.Annotate(solver);
        RegisterOutputs(new Dictionary<string, object?> { ["namespace"] = Args.Namespace, ["version"] = Args.Version });
    }

    public CertManagerArgs Args { get; }
    public HelmRelease Release { get; }
    public string Namespace => Args.Namespace;

    public static JsonObject Values(CertManagerArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var values = new JsonObject { ["crds"] = new JsonObject { ["enabled"] = true, ["keep"] = true } };
        if (args.Dns01RecursiveNameservers.Count > 0)
        {
            values["dns01RecursiveNameservers"] = string.Join(",", args.Dns01RecursiveNameservers);
            values["dns01RecursiveNameserversOnly"] = true;
        }
        if (args.ServiceMonitor)
        {
            values["prometheus"] = new JsonObject { ["enabled"] = true, ["servicemonitor"] = new JsonObject { ["enabled"] = true } };
        }
        // Each pod's image by digest at the pinned version (ChartImages: the sources beside each). The chart's
        // `image.digest` renders repository@digest.
        if (args.Version == ChartVersion)
        {
            values["image"] = new JsonObject { ["digest"] = ChartImages.CertManagerController.Digest };
            values["webhook"] = new JsonObject { ["image"] = new JsonObject { ["digest"] = ChartImages.CertManagerWebhook.Digest } };
            values["cainjector"] = new JsonObject { ["image"] = new JsonObject { ["digest"] = ChartImages.CertManagerCainjector.Digest } };
            values["startupapicheck"] = new JsonObject { ["image"] = new JsonObject { ["digest"] = ChartImages.CertManagerStartupApiCheck.Digest } };
        }
        if (args.Tolerate.Count > 0)
        {
            // The chart's four pod templates each take their own list (values.yaml: tolerations, webhook.tolerations, …).
            values["tolerations"] = SystemTolerations.Of(args.Tolerate);
            foreach (var part in (string[])["webhook", "cainjector", "startupapicheck"])
            {
                var section = values[part] as JsonObject ?? new JsonObject();
                section["tolerations"] = SystemTolerations.Of(args.Tolerate);
                values[part] = section;
            }
        }
        return values;
    }

    private static List<ArgumentProblem> Validate(CertManagerArgs args)
    {
        var problems = new List<ArgumentProblem>();
        if (KubernetesNames.Dns1123LabelProblem(args.Namespace) is { } ns) problems.Add(new ArgumentProblem("namespace", ns));
        foreach (var server in args.Dns01RecursiveNameservers)
        {
            var colon = server.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(server[(colon + 1)..], out var port) || port is < 1 or > 65535)
            {
                problems.Add(new ArgumentProblem("dns01RecursiveNameservers", $"'{server}' is not host:port; write e.g. '1.1.1.1:53'"));
            }
        }
        return problems;
    }
}
