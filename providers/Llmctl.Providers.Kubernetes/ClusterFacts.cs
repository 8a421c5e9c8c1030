using k8s;
using k8s.Autorest;

namespace Llmctl.Providers.Kubernetes;

/// <summary>A node as the cluster reports it: its labels (GPU Feature Discovery's included) and its allocatable resources.</summary>
public sealed record LiveNode(string Name, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Allocatable);

/// <summary>A pod of a GPU lane: where it runs and its phase (<c>Running</c>, <c>Pending</c>, …).</summary>
public sealed record LivePod(string Namespace, string Name, string? Node, string Phase, string? Lane);

/// <summary>
/// Reads the facts <c>llmctl preflight</c> checks against a live cluster: a node (labels, allocatable) and the pods of
/// GPU lanes. Read-only; a cluster that cannot be reached is reported as a <see cref="Engine.Providers.ProviderException"/>.
/// </summary>
public sealed class ClusterFacts(KubernetesProviderOptions options)
{
    private readonly KubernetesConnection _connection = new(options);

    /// <summary>The node, or null when the cluster has no node of that name.</summary>
    public async Task<LiveNode?> NodeAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var node = await _connection.Client.CoreV1.ReadNodeAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new LiveNode(name,
                node.Metadata?.Labels?.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal) ?? new Dictionary<string, string>(StringComparer.Ordinal),
                node.Status?.Allocatable?.ToDictionary(kv => kv.Key, kv => kv.Value.ToString(), StringComparer.Ordinal) ?? new Dictionary<string, string>(StringComparer.Ordinal));
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or HttpOperationException or TaskCanceledException or k8s.Exceptions.KubeConfigException)
        {
            throw new Engine.Providers.ProviderException($"cannot read node '{name}': {ex.Message}", ex);
        }
    }

    /// <summary>Every pod matching <paramref name="labelSelector"/> in any namespace.</summary>
    public async Task<IReadOnlyList<LivePod>> PodsAsync(string labelSelector, string laneLabel, CancellationToken cancellationToken)
    {
        try
        {
            var pods = await _connection.Client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: labelSelector, cancellationToken: cancellationToken).ConfigureAwait(false);
            return pods.Items.Select(p => new LivePod(p.Metadata?.NamespaceProperty ?? "", p.Metadata?.Name ?? "", p.Spec?.NodeName, p.Status?.Phase ?? "Unknown",
                p.Metadata?.Labels?.TryGetValue(laneLabel, out var lane) == true ? lane : null)).ToList();
        }
        catch (Exception ex) when (ex is HttpRequestException or HttpOperationException or TaskCanceledException or k8s.Exceptions.KubeConfigException)
        {
            throw new Engine.Providers.ProviderException($"cannot list GPU pods: {ex.Message}", ex);
        }
    }
}
