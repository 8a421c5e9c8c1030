using Llmctl.Components.Certificates;
using Llmctl.Components.Cluster;
using Llmctl.Engine.Model;
using Llmctl.Stacks.Config;

namespace Llmctl.Stacks.Compose;

/// <summary>What the certificates layer gives the gateway: the ClusterIssuer its Ingress names.</summary>
public sealed record CertificatesLayer(CertManager CertManager, IonosDnsWebhook Webhook, Dns01ClusterIssuer Issuer)
{
    public string IssuerName => Issuer.Name;
}

/// <summary>
/// cert-manager, then the IONOS DNS-01 webhook wired to it, then a Let's Encrypt ClusterIssuer whose solver is the
/// webhook's (same group name); the API key's two halves come from the section's <c>secure:</c> values into the
/// solver Secret in cert-manager's namespace (seed 000's <c>ionos-secret</c>).
/// </summary>
public static class CertificatesComposer
{
    public static CertificatesLayer? Compose(StackContext ctx, StackConfig config)
    {
        if (config.Certificates is not { } c) return null;
        // Where the GPU nodes are the whole cluster and all tainted, cert-manager must tolerate the taint to run at all.
        var tolerate = DeclaredNodes.SystemTolerations(ctx);
        var certManager = new CertManager("cert-manager", new CertManagerArgs
        {
            Namespace = c.Namespace,
            Dns01RecursiveNameservers = c.Dns01RecursiveNameservers,
            Tolerate = tolerate,
        });
        var webhook = new IonosDnsWebhook("cert-manager-webhook-ionos", new IonosDnsWebhookArgs
        {
            CertManagerNamespace = c.Namespace,
            GroupName = c.Ionos.GroupName,
            Tolerate = tolerate,
        }, new ComponentResourceOptions { DependsOn = [certManager] });
        var solver = IonosDnsWebhook.Solver(
            c.Ionos.PublicPrefix,
            c.Ionos.Secret,
            groupName: c.Ionos.GroupName,
            dnsZones: c.Ionos.DnsZones);
        var issuer = new Dns01ClusterIssuer(c.IssuerName, new Dns01ClusterIssuerArgs
        {
            Email = c.Email,
            Environment = c.Environment,
            Solvers = [solver],
            CertManagerNamespace = c.Namespace,
        }, new ComponentResourceOptions { DependsOn = [certManager, webhook] });
        return new CertificatesLayer(certManager, webhook, issuer);
    }
}
