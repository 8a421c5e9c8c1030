using System.Text.Json.Nodes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Certificates;

/// <summary>Which Let's Encrypt directory an issuer talks to.</summary>
public enum AcmeEnvironment
{
    /// <summary>Untrusted certificates, generous rate limits: for trying a setup out.</summary>
    Staging,
    Production,
}

/// <summary>An ACME ClusterIssuer that proves domain control with DNS-01 (works behind NAT, no inbound port).</summary>
public sealed record Dns01ClusterIssuerArgs
{
    /// <summary>The ACME account's contact address (expiry notices).</summary>
    public required string Email { get; init; }
    public AcmeEnvironment Environment { get; init; } = AcmeEnvironment.Staging;
    /// <summary>Where cert-manager stores the ACME account key; default <c>&lt;issuer name&gt;-account-key</c>.</summary>
    public string? PrivateKeySecretName { get; init; }
    /// <summary>At least one. With several, <see cref="Dns01Solver.DnsZones"/> selects which solves which zone.</summary>
    public required IReadOnlyList<Dns01Solver> Solvers { get; init; }
    /// <summary>cert-manager's cluster resource namespace, where solver Secrets are created and read.</summary>
    public string CertManagerNamespace { get; init; } = CertManager.DefaultNamespace;
}

/// <summary>One DNS-01 solver of an issuer.</summary>
public abstract record Dns01Solver
{
    /// <summary>Zones this solver answers for (<c>example.com</c>); empty: every zone.</summary>
    public IReadOnlyList<string> DnsZones { get; init; } = [];
    /// <summary>Short kind for names and messages (<c>cloudflare</c>, <c>route53</c>, <c>webhook</c>).</summary>
    public abstract string Kind { get; }
}

/// <summary>Cloudflare's API with a scoped token (Zone:DNS:Edit and Zone:Zone:Read).</summary>
public sealed record CloudflareDns01Solver : Dns01Solver
{
    /// <summary>The API token, from secret configuration.</summary>
    public required Output<string> ApiToken { get; init; }
    public override string Kind => "cloudflare";
}

/// <summary>
/// AWS Route53. Static keys (<see cref="AccessKeyId"/> + <see cref="SecretAccessKey"/>), a <see cref="Role"/> to assume,
/// or neither for the controller's ambient credentials.
/// </summary>
public sealed record Route53Dns01Solver : Dns01Solver
{
    public required string Region { get; init; }
    public string? HostedZoneId { get; init; }
    /// <summary>Not secret on its own; goes into the issuer as it is.</summary>
    public string? AccessKeyId { get; init; }
    /// <summary>From secret configuration; into a Secret in the cert-manager namespace.</summary>
    public Output<string>? SecretAccessKey { get; init; }
    public string? Role { get; init; }
    public override string Kind => "route53";
}

/// <summary>
/// An out-of-tree DNS-01 webhook (<c>dns01.webhook</c>). <see cref="GroupName"/> and <see cref="SolverName"/> must match
/// the installed webhook exactly. <see cref="SecretValues"/> become the Secret <see cref="SecretName"/> in the
/// cert-manager namespace, for <see cref="Config"/> to reference.
/// </summary>
public sealed record WebhookDns01Solver : Dns01Solver
{
    public required string GroupName { get; init; }
    public required string SolverName { get; init; }
    /// <summary>The webhook's own configuration. Never put a secret value here: reference <see cref="SecretName"/>.</summary>
    public JsonObject Config { get; init; } = new();
    public string? SecretName { get; init; }
    public IReadOnlyDictionary<string, Output<string>> SecretValues { get; init; } = new Dictionary<string, Output<string>>();
    public override string Kind => "webhook";
}
