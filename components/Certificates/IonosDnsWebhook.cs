using System.Text.Json.Nodes;
using Llmctl.Components.Helm;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Certificates;

/// <summary>The IONOS hosting DNS webhook's chart: in the cert-manager namespace, wired to cert-manager's service account.</summary>
public sealed record IonosDnsWebhookArgs
{
    public string CertManagerNamespace { get; init; } = CertManager.DefaultNamespace;
    /// <summary>cert-manager's controller service account, which the webhook lets solve challenges.</summary>
    public string CertManagerServiceAccount { get; init; } = "cert-manager";
    public string GroupName { get; init; } = IonosDnsWebhook.DefaultGroupName;
    public string Version { get; init; } = IonosDnsWebhook.ChartVersion;
    /// <summary>The webhook image tag; the chart's default is <c>latest</c>, which moves, so it is pinned to the chart's appVersion.</summary>
    public string ImageTag { get; init; } = IonosDnsWebhook.ChartVersion;
    /// <summary>Taints the webhook's pod tolerates (<see cref="Helm.SystemTolerations"/>); empty: none.</summary>
    public IReadOnlyList<k8s.Models.V1Taint> Tolerate { get; init; } = [];
}

/// <summary>
/// The worked webhook example of seed 000: fabmade's cert-manager-webhook-ionos for the IONOS <em>hosting</em> DNS API,
/// its chart, and <see cref="Solver"/> for a <see cref="Dns01ClusterIssuer"/>. The API key is <c>&lt;public prefix&gt;.&lt;secret&gt;</c>;
/// both halves come from secret configuration into the Secret <see cref="DefaultSecretName"/> in cert-manager's namespace.
/// </summary>
public sealed class IonosDnsWebhook : ComponentResource
{
    public const string TypeToken = "llmctl:certificates:IonosDnsWebhook";
    public const string ChartName = "cert-manager-webhook-ionos";
    public const string ChartRepo = "https://fabmade.github.io/cert-manager-webhook-ionos";
    /// <summary>Chart.yaml at fabmade/cert-manager-webhook-ionos 9b84f0c (upstream/SOURCES.md): chart 1.3.0, app 1.3.0.</summary>
    public const string ChartVersion = "1.3.0";
    /// <summary>The pinned chart (its digest is in charts.lock.yaml).</summary>
    public static readonly ChartRef PinnedChart = new(ChartName, ChartRepo, ChartVersion);
    public const string DefaultGroupName = "acme.fabmade.de";
    /// <summary>The name the webhook registers (its source's <c>Name()</c>); older READMEs said otherwise.</summary>
    public const string SolverName = "ionos";
    public const string ApiUrl = "https://api.hosting.ionos.com/dns/v1";
    public const string DefaultSecretName = "ionos-secret";
    public const string PublicPrefixKey = "IONOS_PUBLIC_PREFIX";
    public const string SecretKey = "IONOS_SECRET";

    public IonosDnsWebhook(string name, IonosDnsWebhookArgs? args = null, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        Args = args ?? new IonosDnsWebhookArgs();
        var problems = new List<ArgumentProblem>();
        if (KubernetesNames.Dns1123LabelProblem(Args.CertManagerNamespace) is { } ns) problems.Add(new ArgumentProblem("certManagerNamespace", ns));
        if (string.IsNullOrWhiteSpace(Args.GroupName) || !Args.GroupName.Contains('.')) problems.Add(new ArgumentProblem("groupName", $"'{Args.GroupName}' is not an API group; write a domain such as 'acme.fabmade.de'"));
        if (string.IsNullOrWhiteSpace(Args.ImageTag) || Args.ImageTag == "latest") problems.Add(new ArgumentProblem("imageTag", "pin an image tag such as '1.3.0'; 'latest' moves by itself"));
        ComponentArgumentException.ThrowIfAny(this, problems);
        Release = new HelmRelease(name, new HelmReleaseArgs
        {
            Chart = ChartName,
            Repo = ChartRepo,
            Version = Args.Version,
            TargetNamespace = Args.CertManagerNamespace,
            Values = Values(Args),
        }, new ComponentResourceOptions { Parent = this, DependsOn = RawOptions.DependsOn });
        // No digest of the webhook image could be verified: named, not guessed (chart-images-pinned).
        if (Args.ImageTag == ChartImages.IonosWebhook.Tag && ChartImages.IonosWebhook.Unverified() is { } unpinned) Release.Chart.Annotate(unpinned);
        RegisterOutputs(new Dictionary<string, object?> { ["groupName"] = Args.GroupName, ["solverName"] = SolverName });
    }

    public IonosDnsWebhookArgs Args { get; }
    public HelmRelease Release { get; }

    public static JsonObject Values(IonosDnsWebhookArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var values = new JsonObject
        {
            ["groupName"] = args.GroupName,
            ["certManager"] = new JsonObject { ["namespace"] = args.CertManagerNamespace, ["serviceAccountName"] = args.CertManagerServiceAccount },
            ["image"] = new JsonObject { ["tag"] = args.ImageTag },
        };
        if (args.Tolerate.Count > 0) values["tolerations"] = SystemTolerations.Of(args.Tolerate);
        return values;
    }

    /// <summary>
    /// The solver for a <see cref="Dns01ClusterIssuer"/>, as seed 000 writes it: the hosting API URL and the two key
    /// halves referenced from <paramref name="secretName"/>, which the issuer creates from the given secret values.
    /// </summary>
    public static WebhookDns01Solver Solver(
        Output<string> publicPrefix,
        Output<string> secret,
        string groupName = DefaultGroupName,
        string secretName = DefaultSecretName,
        string? zoneName = null,
        IReadOnlyList<string>? dnsZones = null)
    {
        ArgumentNullException.ThrowIfNull(publicPrefix);
        ArgumentNullException.ThrowIfNull(secret);
        var config = new JsonObject
        {
            ["apiUrl"] = ApiUrl,
            ["publicKeySecretRef"] = new JsonObject { ["name"] = secretName, ["key"] = PublicPrefixKey },
            ["secretKeySecretRef"] = new JsonObject { ["name"] = secretName, ["key"] = SecretKey },
        };
        if (zoneName is not null) config["zoneName"] = zoneName;
        return new WebhookDns01Solver
        {
            GroupName = groupName,
            SolverName = SolverName,
            Config = config,
            SecretName = secretName,
            SecretValues = new Dictionary<string, Output<string>> { [PublicPrefixKey] = publicPrefix, [SecretKey] = secret },
            DnsZones = dnsZones ?? [],
        };
    }
}
