using k8s.Models;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Certificates;

/// <summary>
/// A <c>cert-manager.io/v1</c> ClusterIssuer for Let's Encrypt (staging or production) with DNS-01 solvers, and the
/// solvers' Secrets in cert-manager's namespace, built from secret configuration. Depend on <see cref="CertManager"/>
/// (the CRD and the namespace) and, for a webhook solver, on the webhook's chart.
/// </summary>
public sealed class Dns01ClusterIssuer : ComponentResource
{
    public const string TypeToken = "llmctl:certificates:Dns01ClusterIssuer";
    public const string ProductionServer = "https://acme-v02.api.letsencrypt.org/directory";
    public const string StagingServer = "https://acme-staging-v02.api.letsencrypt.org/directory";
    public const string CloudflareTokenKey = "api-token";
    public const string Route53SecretKey = "secret-access-key";

    public Dns01ClusterIssuer(string name, Dns01ClusterIssuerArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        Args = args;
        ComponentArgumentException.ThrowIfAny(this, Validate(name, args));

        var childOptions = new CustomResourceOptions { Parent = this, DependsOn = RawOptions.DependsOn };
        var secrets = new List<KubernetesObject<V1Secret>>();
        var solvers = new List<V1AcmeSolver>();
        for (var i = 0; i < args.Solvers.Count; i++)
        {
            var (solver, secretName, values) = BuildSolver(name, i, args.Solvers[i]);
            solvers.Add(solver);
            if (secretName is not null && values.Count > 0)
            {
                secrets.Add(SecretObjects.FromConfig($"{name}-{secretName}", secretName, args.CertManagerNamespace, values, childOptions));
            }
        }
        Secrets = secrets;
        Issuer = new KubernetesObject<V1ClusterIssuer>(name, new V1ClusterIssuer
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "llmctl" } },
            Spec = new V1IssuerSpec
            {
                Acme = new V1AcmeIssuer
                {
                    Server = ServerFor(args.Environment),
                    Email = args.Email,
                    PrivateKeySecretRef = new V1SecretKeySelector { Name = args.PrivateKeySecretName ?? $"{name}-account-key" },
                    Solvers = solvers,
                },
            },
        }, childOptions with { DependsOn = [.. RawOptions.DependsOn, .. secrets] });
        RegisterOutputs(new Dictionary<string, object?> { ["name"] = name, ["server"] = ServerFor(args.Environment) });
    }

    public Dns01ClusterIssuerArgs Args { get; }
    public KubernetesObject<V1ClusterIssuer> Issuer { get; }
    /// <summary>The solver Secrets, in the cert-manager namespace.</summary>
    public IReadOnlyList<KubernetesObject<V1Secret>> Secrets { get; }
    /// <summary>The value for an Ingress's <c>cert-manager.io/cluster-issuer</c> annotation.</summary>
    public string IssuerName => Name;

    public static string ServerFor(AcmeEnvironment environment) =>
        environment == AcmeEnvironment.Production ? ProductionServer : StagingServer;

    /// <summary>Solver Secret name: <c>&lt;issuer&gt;-&lt;kind&gt;</c>, with the solver's index after the first.</summary>
    private static string SecretNameFor(string issuer, int index, Dns01Solver solver) =>
        index == 0 ? $"{issuer}-{solver.Kind}" : $"{issuer}-{solver.Kind}-{index}";

    private static (V1AcmeSolver Solver, string? SecretName, IReadOnlyDictionary<string, Output<string>> Values) BuildSolver(
        string issuer, int index, Dns01Solver solver)
    {
        var dns01 = new V1AcmeDns01();
        string? secretName = null;
        var values = new Dictionary<string, Output<string>>();
        switch (solver)
        {
            case CloudflareDns01Solver cf:
                secretName = SecretNameFor(issuer, index, solver);
                values[CloudflareTokenKey] = cf.ApiToken;
                dns01.Cloudflare = new V1AcmeDns01Cloudflare { ApiTokenSecretRef = new V1SecretKeySelector { Name = secretName, Key = CloudflareTokenKey } };
                break;
            case Route53Dns01Solver r53:
                dns01.Route53 = new V1AcmeDns01Route53 { Region = r53.Region, HostedZoneId = r53.HostedZoneId, AccessKeyId = r53.AccessKeyId, Role = r53.Role };
                if (r53.SecretAccessKey is { } key)
                {
                    secretName = SecretNameFor(issuer, index, solver);
                    values[Route53SecretKey] = key;
                    dns01.Route53.SecretAccessKeySecretRef = new V1SecretKeySelector { Name = secretName, Key = Route53SecretKey };
                }
                break;
            case WebhookDns01Solver wh:
                secretName = wh.SecretName;
                foreach (var (k, v) in wh.SecretValues) values[k] = v;
                dns01.Webhook = new V1AcmeDns01Webhook { GroupName = wh.GroupName, SolverName = wh.SolverName, Config = wh.Config.Count == 0 ? null : (System.Text.Json.Nodes.JsonObject)wh.Config.DeepClone() };
                break;
            default:
                throw new ArgumentException($"unknown DNS-01 solver {solver.GetType().Name}", nameof(solver));
        }
        var acme = new V1AcmeSolver
        {
            Dns01 = dns01,
            Selector = solver.DnsZones.Count == 0 ? null : new V1AcmeSolverSelector { DnsZones = [.. solver.DnsZones] },
        };
        return (acme, secretName, values);
    }

    private static List<ArgumentProblem> Validate(string name, Dns01ClusterIssuerArgs args)
    {
        var problems = new List<ArgumentProblem>();
        if (KubernetesNames.Dns1123LabelProblem(name) is { } n) problems.Add(new ArgumentProblem("name", n));
        if (string.IsNullOrWhiteSpace(args.Email) || !args.Email.Contains('@') || args.Email.Contains(' '))
        {
            problems.Add(new ArgumentProblem("email", $"'{args.Email}' is not an email address; Let's Encrypt sends expiry notices there"));
        }
        if (KubernetesNames.Dns1123LabelProblem(args.CertManagerNamespace) is { } ns) problems.Add(new ArgumentProblem("certManagerNamespace", ns));
        if (args.PrivateKeySecretName is { } pk && KubernetesNames.Dns1123LabelProblem(pk) is { } pkp) problems.Add(new ArgumentProblem("privateKeySecretName", pkp));
        if (args.Solvers is null || args.Solvers.Count == 0)
        {
            problems.Add(new ArgumentProblem("solvers", "give at least one DNS-01 solver (Cloudflare, Route53 or a webhook such as IONOS)"));
            return problems;
        }
        if (args.Solvers.Count > 1 && args.Solvers.Count(s => s.DnsZones.Count == 0) > 1)
        {
            problems.Add(new ArgumentProblem("solvers", "more than one solver answers for every zone; give each its dnsZones so cert-manager can choose"));
        }
        var secretNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Solvers.Count; i++)
        {
            var at = $"solvers[{i}]";
            switch (args.Solvers[i])
            {
                case Route53Dns01Solver r53:
                    if (string.IsNullOrWhiteSpace(r53.Region)) problems.Add(new ArgumentProblem($"{at}.region", "name the AWS region, e.g. 'eu-central-1'"));
                    if ((r53.AccessKeyId is null) != (r53.SecretAccessKey is null))
                    {
                        problems.Add(new ArgumentProblem(at, "give both accessKeyId and secretAccessKey, or neither (a role or the controller's ambient credentials)"));
                    }
                    break;
                case WebhookDns01Solver wh:
                    if (string.IsNullOrWhiteSpace(wh.GroupName)) problems.Add(new ArgumentProblem($"{at}.groupName", "give the webhook's API group, e.g. 'acme.fabmade.de'"));
                    if (string.IsNullOrWhiteSpace(wh.SolverName)) problems.Add(new ArgumentProblem($"{at}.solverName", "give the webhook's solver name, e.g. 'ionos'"));
                    if (wh.SecretValues.Count > 0 && wh.SecretName is null) problems.Add(new ArgumentProblem($"{at}.secretName", "name the Secret the secret values go into (the config references it)"));
                    if (wh.SecretName is { } sn && KubernetesNames.Dns1123LabelProblem(sn) is { } snp) problems.Add(new ArgumentProblem($"{at}.secretName", snp));
                    break;
            }
            var secret = args.Solvers[i] switch
            {
                CloudflareDns01Solver => SecretNameFor(name, i, args.Solvers[i]),
                Route53Dns01Solver { SecretAccessKey: not null } => SecretNameFor(name, i, args.Solvers[i]),
                WebhookDns01Solver { SecretName: { } s, SecretValues.Count: > 0 } => s,
                _ => null,
            };
            if (secret is not null && !secretNames.Add(secret)) problems.Add(new ArgumentProblem(at, $"the Secret '{secret}' is already written by another solver; give each solver its own"));
        }
        return problems;
    }
}
