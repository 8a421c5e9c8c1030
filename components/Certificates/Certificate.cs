using k8s.Models;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Certificates;

/// <summary>An explicit certificate; an Ingress with the cluster-issuer annotation does not need one.</summary>
public sealed record CertificateArgs
{
    public required string Namespace { get; init; }
    /// <summary>The first is the certificate's main name.</summary>
    public required IReadOnlyList<string> DnsNames { get; init; }
    /// <summary>The <c>kubernetes.io/tls</c> Secret cert-manager writes; default <c>&lt;name&gt;-tls</c>.</summary>
    public string? SecretName { get; init; }
    /// <summary>A ClusterIssuer's name (<see cref="Dns01ClusterIssuer.IssuerName"/>).</summary>
    public required string ClusterIssuer { get; init; }
    /// <summary>Null: cert-manager's default (90 days). Whole hours: cert-manager takes Go durations.</summary>
    public TimeSpan? Duration { get; init; }
    public TimeSpan? RenewBefore { get; init; }
}

/// <summary>
/// A <c>cert-manager.io/v1</c> Certificate from a ClusterIssuer, for hosts an Ingress annotation cannot cover (Traefik
/// IngressRoutes are not watched by cert-manager's ingress-shim). Its private key rotates on every renewal.
/// </summary>
public sealed class Certificate : ComponentResource
{
    public const string TypeToken = "llmctl:certificates:Certificate";

    public Certificate(string name, CertificateArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        Args = args;
        ComponentArgumentException.ThrowIfAny(this, Validate(name, args));
        Resource = new KubernetesObject<V1Certificate>(name, new V1Certificate
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = args.Namespace,
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "llmctl" },
            },
            Spec = new V1CertificateSpec
            {
                SecretName = SecretName,
                IssuerRef = new V1IssuerReference { Name = args.ClusterIssuer, Kind = "ClusterIssuer", Group = "cert-manager.io" },
                DnsNames = [.. args.DnsNames],
                Duration = GoHours(args.Duration),
                RenewBefore = GoHours(args.RenewBefore),
                PrivateKey = new V1CertificatePrivateKey { Algorithm = "ECDSA", RotationPolicy = "Always" },
            },
        }, new CustomResourceOptions { Parent = this, DependsOn = RawOptions.DependsOn });
    }

    public CertificateArgs Args { get; }
    public KubernetesObject<V1Certificate> Resource { get; }
    public string SecretName => Args.SecretName ?? $"{Name}-tls";

    private static string? GoHours(TimeSpan? t) => t is { } v ? $"{(long)v.TotalHours}h" : null;

    private static List<ArgumentProblem> Validate(string name, CertificateArgs args)
    {
        var problems = new List<ArgumentProblem>();
        if (KubernetesNames.Dns1123LabelProblem(name) is { } n) problems.Add(new ArgumentProblem("name", n));
        if (KubernetesNames.Dns1123LabelProblem(args.Namespace) is { } ns) problems.Add(new ArgumentProblem("namespace", ns));
        if (args.DnsNames is null || args.DnsNames.Count == 0) problems.Add(new ArgumentProblem("dnsNames", "give at least one host name, e.g. 'litellm.example.com'"));
        foreach (var host in args.DnsNames ?? [])
        {
            if (HostNames.Problem(host) is { } hp) problems.Add(new ArgumentProblem("dnsNames", hp));
        }
        if (string.IsNullOrWhiteSpace(args.ClusterIssuer)) problems.Add(new ArgumentProblem("clusterIssuer", "name the ClusterIssuer, e.g. 'letsencrypt-ionos-prod'"));
        foreach (var (arg, value) in new[] { ("duration", args.Duration), ("renewBefore", args.RenewBefore) })
        {
            if (value is { } v && (v <= TimeSpan.Zero || v.Ticks % TimeSpan.TicksPerHour != 0))
            {
                problems.Add(new ArgumentProblem(arg, $"{v} is not a positive whole number of hours; cert-manager takes Go durations such as '2160h'"));
            }
        }
        if (args.Duration is { } d && args.RenewBefore is { } r && r >= d) problems.Add(new ArgumentProblem("renewBefore", "must be shorter than duration"));
        return problems;
    }
}

/// <summary>Host name checks shared by certificates and the gateway's Ingress.</summary>
public static partial class HostNames
{
    /// <summary>Null for a DNS name (a leading <c>*.</c> wildcard allowed), else what is wrong.</summary>
    public static string? Problem(string? host) =>
        host is { Length: > 0 and <= 253 } && Pattern().IsMatch(host)
            ? null
            : $"'{host}' is not a DNS host name; write lowercase labels separated by dots, e.g. 'litellm.example.com'";

    [System.Text.RegularExpressions.GeneratedRegex(@"^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial System.Text.RegularExpressions.Regex Pattern();
}
