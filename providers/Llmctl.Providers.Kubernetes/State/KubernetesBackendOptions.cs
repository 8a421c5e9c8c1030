using Llmctl.Engine.State;

namespace Llmctl.Providers.Kubernetes.State;

/// <summary>Where <see cref="KubernetesBackend"/> keeps state and how it locks.</summary>
public sealed record KubernetesBackendOptions
{
    public const string DefaultNamespace = "llmctl-state";

    /// <summary>The namespace of the checkpoint Secrets and lock Leases; created on first write when missing.</summary>
    public string Namespace { get; init; } = DefaultNamespace;

    /// <summary>The cluster: kubeconfig, context, request timeout and retries (the provider's own options).</summary>
    public KubernetesProviderOptions Cluster { get; init; } = new();

    /// <summary>The Lease's <c>leaseDurationSeconds</c>: a lock not renewed for this long may be taken over.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a held Lease is renewed; a third of <see cref="LeaseDuration"/> when null.</summary>
    public TimeSpan? RenewInterval { get; init; }

    /// <summary>
    /// Checkpoints up to this many bytes of JSON are stored as they are under <c>checkpoint.json</c> (readable with
    /// kubectl and base64 -d); larger ones are gzip-compressed under <c>checkpoint.json.gz</c>.
    /// </summary>
    public int PlainLimitBytes { get; init; } = 512 * 1024;

    /// <summary>The clock for lease times and renewal (tests pass a fake one).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// The options for <c>kubernetes://&lt;namespace&gt;</c> (empty: <see cref="DefaultNamespace"/>), with the cluster from
    /// the stack's <c>kubernetes:kubeconfig</c> and <c>kubernetes:context</c>.
    /// </summary>
    public static KubernetesBackendOptions FromRequest(BackendRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ns = request.Location.Trim('/');
        if (ns.Length == 0) ns = DefaultNamespace;
        if (!StateNames.IsDnsLabel(ns))
        {
            throw new NotSupportedException(
                $"backend URL '{request.Url}': '{ns}' is not a namespace name (lower-case letters, digits and '-', at most 63); write kubernetes://<namespace>, e.g. kubernetes://{DefaultNamespace}");
        }
        return new KubernetesBackendOptions { Namespace = ns, Cluster = KubernetesProviderOptions.FromConfig(request.StackConfig) };
    }
}
