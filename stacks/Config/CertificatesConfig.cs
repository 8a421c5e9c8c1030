using Llmctl.Engine.Config;
using Llmctl.Engine.Model;
using Llmctl.Components.Certificates;

namespace Llmctl.Stacks.Config;

/// <summary>
/// <c>&lt;project&gt;:certificates</c>: cert-manager (CRDs included), a DNS-01 webhook and a Let's Encrypt
/// ClusterIssuer that solves with it. DNS-01 needs no inbound port, so it works behind NAT (seed 000). Only the IONOS
/// hosting DNS webhook is composed for now.
/// </summary>
[ConfigRecord]
public sealed partial record CertificatesConfig
{
    /// <summary>cert-manager's namespace, where the solver Secrets are created.</summary>
    public string Namespace { get; init; } = CertManager.DefaultNamespace;
    /// <summary>The ClusterIssuer's name (<c>letsencrypt-ionos-prod</c>).</summary>
    public required string IssuerName { get; init; }
    /// <summary>The ACME account's contact address.</summary>
    public required string Email { get; init; }
    /// <summary><c>staging</c> (untrusted, generous limits) or <c>production</c>.</summary>
    public AcmeEnvironment Environment { get; init; } = AcmeEnvironment.Staging;
    /// <summary>Resolvers for cert-manager's DNS-01 self-check (<c>1.1.1.1:53</c>); empty: its defaults.</summary>
    public IReadOnlyList<string> Dns01RecursiveNameservers { get; init; } = [];
    public required IonosWebhookConfig Ionos { get; init; }
}

/// <summary>fabmade's cert-manager-webhook-ionos for the IONOS hosting DNS API.</summary>
[ConfigRecord]
public sealed partial record IonosWebhookConfig
{
    /// <summary>The webhook's API group; the issuer's solver must name the same.</summary>
    public string GroupName { get; init; } = IonosDnsWebhook.DefaultGroupName;
    /// <summary>The API key's public prefix, a <c>secure:</c> value.</summary>
    public required Output<string> PublicPrefix { get; init; }
    /// <summary>The API key's secret half, a <c>secure:</c> value.</summary>
    public required Output<string> Secret { get; init; }
    /// <summary>Zones the solver answers for; empty: every zone.</summary>
    public IReadOnlyList<string> DnsZones { get; init; } = [];
}
