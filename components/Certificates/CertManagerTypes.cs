using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Llmctl.Components.Certificates;

// Typed wire objects for cert-manager (cert-manager.io/v1), after cert-manager's pkg/apis/certmanager/v1 and
// pkg/apis/acme/v1. Only fields llmctl sets are modelled; the CRD schemas in ../shared/upstream/crds/cert-manager are
// what the tests validate against.

/// <summary>A cluster-wide issuer; its secrets are read from the cluster resource namespace (<c>cert-manager</c>).</summary>
[KubernetesEntity(Group = "cert-manager.io", Kind = "ClusterIssuer", ApiVersion = "v1", PluralName = "clusterissuers")]
public sealed class V1ClusterIssuer : IKubernetesObject<V1ObjectMeta>, ISpec<V1IssuerSpec>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = "cert-manager.io/v1";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "ClusterIssuer";
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public V1IssuerSpec Spec { get; set; } = new();
}

public sealed class V1IssuerSpec
{
    [JsonPropertyName("acme")] public V1AcmeIssuer? Acme { get; set; }
}

public sealed class V1AcmeIssuer
{
    [JsonPropertyName("server")] public string Server { get; set; } = "";
    [JsonPropertyName("email")] public string? Email { get; set; }
    /// <summary>Where cert-manager keeps the ACME account key it generates.</summary>
    [JsonPropertyName("privateKeySecretRef")] public V1SecretKeySelector PrivateKeySecretRef { get; set; } = new();
    [JsonPropertyName("solvers")] public IList<V1AcmeSolver>? Solvers { get; set; }
}

/// <summary>A reference to a Secret (and optionally one key of it) in the cluster resource namespace.</summary>
public sealed class V1SecretKeySelector
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("key")] public string? Key { get; set; }
}

public sealed class V1AcmeSolver
{
    [JsonPropertyName("selector")] public V1AcmeSolverSelector? Selector { get; set; }
    [JsonPropertyName("dns01")] public V1AcmeDns01? Dns01 { get; set; }
}

public sealed class V1AcmeSolverSelector
{
    [JsonPropertyName("dnsZones")] public IList<string>? DnsZones { get; set; }
}

public sealed class V1AcmeDns01
{
    /// <summary><c>None</c> or <c>Follow</c>.</summary>
    [JsonPropertyName("cnameStrategy")] public string? CnameStrategy { get; set; }
    [JsonPropertyName("cloudflare")] public V1AcmeDns01Cloudflare? Cloudflare { get; set; }
    [JsonPropertyName("route53")] public V1AcmeDns01Route53? Route53 { get; set; }
    [JsonPropertyName("webhook")] public V1AcmeDns01Webhook? Webhook { get; set; }
}

public sealed class V1AcmeDns01Cloudflare
{
    [JsonPropertyName("apiTokenSecretRef")] public V1SecretKeySelector? ApiTokenSecretRef { get; set; }
}

public sealed class V1AcmeDns01Route53
{
    [JsonPropertyName("region")] public string? Region { get; set; }
    [JsonPropertyName("hostedZoneID")] public string? HostedZoneId { get; set; }
    [JsonPropertyName("accessKeyID")] public string? AccessKeyId { get; set; }
    [JsonPropertyName("secretAccessKeySecretRef")] public V1SecretKeySelector? SecretAccessKeySecretRef { get; set; }
    [JsonPropertyName("role")] public string? Role { get; set; }
}

public sealed class V1AcmeDns01Webhook
{
    [JsonPropertyName("groupName")] public string GroupName { get; set; } = "";
    [JsonPropertyName("solverName")] public string SolverName { get; set; } = "";
    /// <summary>The webhook's own configuration, passed to it as it is.</summary>
    [JsonPropertyName("config")] public JsonObject? Config { get; set; }
}

/// <summary>A certificate cert-manager keeps issued and renewed in <see cref="V1CertificateSpec.SecretName"/>.</summary>
[KubernetesEntity(Group = "cert-manager.io", Kind = "Certificate", ApiVersion = "v1", PluralName = "certificates")]
public sealed class V1Certificate : IKubernetesObject<V1ObjectMeta>, ISpec<V1CertificateSpec>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = "cert-manager.io/v1";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "Certificate";
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public V1CertificateSpec Spec { get; set; } = new();
}

public sealed class V1CertificateSpec
{
    [JsonPropertyName("secretName")] public string SecretName { get; set; } = "";
    [JsonPropertyName("issuerRef")] public V1IssuerReference IssuerRef { get; set; } = new();
    [JsonPropertyName("dnsNames")] public IList<string>? DnsNames { get; set; }
    /// <summary>A Go duration (<c>2160h</c>); cert-manager does not accept days.</summary>
    [JsonPropertyName("duration")] public string? Duration { get; set; }
    [JsonPropertyName("renewBefore")] public string? RenewBefore { get; set; }
    [JsonPropertyName("privateKey")] public V1CertificatePrivateKey? PrivateKey { get; set; }
}

public sealed class V1IssuerReference
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("kind")] public string? Kind { get; set; }
    [JsonPropertyName("group")] public string? Group { get; set; }
}

public sealed class V1CertificatePrivateKey
{
    [JsonPropertyName("algorithm")] public string? Algorithm { get; set; }
    [JsonPropertyName("rotationPolicy")] public string? RotationPolicy { get; set; }
}
