using System.Text.RegularExpressions;
using k8s.Models;
using Llmctl.Components.Kubernetes;
using Llmctl.Components.Kubernetes.Render;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Helm;

/// <summary>
/// A Helm release delivered through k3s's built-in helm-controller: one <c>helm.cattle.io/v1</c> HelmChart. k3s runs
/// <c>helm upgrade --install</c> in a <c>helm-install-&lt;name&gt;</c> Job; the Kubernetes provider waits for that Job
/// and reports its failure. Charts are pinned to an exact version.
/// </summary>
public sealed partial class HelmRelease : ComponentResource
{
    public const string TypeToken = "llmctl:helm:HelmRelease";

    public HelmRelease(string name, HelmReleaseArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        Args = args;
        ComponentArgumentException.ThrowIfAny(this, Validate(name, args));
        Chart = new KubernetesObject<V1HelmChart>(name, Build(name, args), new CustomResourceOptions
        {
            Parent = this,
            // The install Job's deadline plus time for the controller to start it.
            CustomTimeouts = new CustomTimeouts { Create = args.Timeout + TimeSpan.FromMinutes(2), Update = args.Timeout + TimeSpan.FromMinutes(2) },
        });
        RegisterOutputs(new Dictionary<string, object?>
        {
            ["chart"] = args.Chart,
            ["version"] = args.Version,
            ["namespace"] = args.TargetNamespace,
        });
    }

    public HelmReleaseArgs Args { get; }
    public KubernetesObject<V1HelmChart> Chart { get; }
    /// <summary>The chart this release installs (no digest: the lock supplies it).</summary>
    public ChartRef ChartRef => new(Args.Chart, Args.Repo, Args.Version);

    public static V1HelmChart Build(string name, HelmReleaseArgs args) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = args.ChartNamespace,
            Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "llmctl" },
        },
        Spec = new V1HelmChartSpec
        {
            // helm-controller takes an OCI chart as one reference in `chart` (Helm has no --repo for OCI registries).
            Chart = IsOci(args.Repo) ? $"{args.Repo.TrimEnd('/')}/{args.Chart}" : args.Chart,
            Repo = IsOci(args.Repo) ? null : args.Repo,
            Version = args.Version,
            TargetNamespace = args.TargetNamespace,
            CreateNamespace = args.CreateNamespace,
            ValuesContent = args.Values.Count == 0 ? null : ValuesYaml(args.Values),
            ValuesSecrets = args.ValuesSecrets.Count == 0 ? null : args.ValuesSecrets.ToList(),
            Timeout = $"{(int)args.Timeout.TotalSeconds}s",
            FailurePolicy = args.FailurePolicy.ToString().ToLowerInvariant(),
            AuthSecret = args.AuthSecret is null ? null : new V1LocalObjectReference { Name = args.AuthSecret },
        },
    };

    /// <summary>Values as YAML with every map's keys sorted, so the same values always give the same text.</summary>
    public static string ValuesYaml(System.Text.Json.Nodes.JsonObject values) => ManifestYaml.WriteValues(values);

    private static bool IsOci(string repo) => repo.StartsWith("oci://", StringComparison.Ordinal);

    private static List<ArgumentProblem> Validate(string name, HelmReleaseArgs args)
    {
        var problems = new List<ArgumentProblem>();
        if (KubernetesNames.Dns1123LabelProblem(name) is { } n) problems.Add(new ArgumentProblem("name", n));
        if (string.IsNullOrWhiteSpace(args.Chart)) problems.Add(new ArgumentProblem("chart", "name the chart, e.g. 'nvidia-device-plugin'"));
        if (!Uri.TryCreate(args.Repo, UriKind.Absolute, out var repo) || repo.Scheme is not ("https" or "http" or "oci"))
        {
            problems.Add(new ArgumentProblem("repo", $"'{args.Repo}' is not a chart repository URL; write https://… or oci://…"));
        }
        if (!ExactVersion().IsMatch(args.Version ?? ""))
        {
            problems.Add(new ArgumentProblem("version", $"'{args.Version}' is not an exact chart version; pin one such as '0.17.1' so the release never moves by itself"));
        }
        if (KubernetesNames.Dns1123LabelProblem(args.TargetNamespace) is { } ns) problems.Add(new ArgumentProblem("targetNamespace", ns));
        if (args.Timeout <= TimeSpan.Zero) problems.Add(new ArgumentProblem("timeout", "must be positive, e.g. 5 minutes"));
        return problems;
    }

    [GeneratedRegex(@"^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")]
    private static partial Regex ExactVersion();
}
