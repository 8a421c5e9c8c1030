namespace Llmctl.Components.Certificates;

/// <summary>cert-manager from its chart, CRDs included.</summary>
public sealed record CertManagerArgs
{
    /// <summary>Also the cluster resource namespace: ClusterIssuer solver Secrets must live here.</summary>
    public string Namespace { get; init; } = CertManager.DefaultNamespace;
    public string Version { get; init; } = CertManager.ChartVersion;
    /// <summary>
    /// Resolvers for the DNS-01 self-check (<c>8.8.8.8:53</c>), used only and instead of the cluster's DNS. Set them for
    /// split-horizon or home DNS, where the cluster cannot see the public TXT record. Empty: cert-manager's defaults.
    /// </summary>
    public IReadOnlyList<string> Dns01RecursiveNameservers { get; init; } = [];
    /// <summary>A ServiceMonitor for kube-prometheus-stack (needs its CRDs).</summary>
    public bool ServiceMonitor { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Taints the controller, webhook, cainjector and startupapicheck pods tolerate (<see cref="Helm.SystemTolerations"/>); empty: none.</summary>
    public IReadOnlyList<k8s.Models.V1Taint> Tolerate { get; init; } = [];
}
