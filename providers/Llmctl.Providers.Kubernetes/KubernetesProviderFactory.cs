using System.Text;
using System.Text.Json.Nodes;
using k8s;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Providers;

namespace Llmctl.Providers.Kubernetes;

/// <summary>
/// Builds <see cref="KubernetesProvider"/>s from <c>pulumi:providers:kubernetes</c> resources — the default one
/// (from the stack's <c>kubernetes:*</c> config) or one whose kubeconfig is another resource's output (the k3s
/// cluster's). A provider is a replacement, and so are the objects it serves, when its configuration points at
/// another API server (the selected context's cluster <c>server</c>): the objects are created on the new cluster and
/// deleted from the old one. Any other change (timeout, patch force, a context of the same cluster) is an update.
/// </summary>
public sealed class KubernetesProviderFactory(Func<KubernetesProviderOptions, KubernetesProviderOptions>? tune = null) : IProviderFactory
{
    public IReadOnlyList<CheckFailure> CheckConfig(JsonObject inputs) => KubernetesProviderOptions.Check(inputs);

    public DiffResult DiffConfig(JsonObject oldInputs, JsonObject newInputs)
    {
        var detailed = InputDiff.Compute(oldInputs, newInputs);
        var changed = detailed.Select(d => InputDiff.TopLevelKey(d.Path)).Distinct().ToList();
        var replace = new List<string>();
        if (changed.Count > 0 && changed.Any(k => k is "kubeconfig" or "context"))
        {
            var (before, after) = (ServerOf(oldInputs), ServerOf(newInputs));
            // Only a known change of API server replaces: a replace on the same cluster would create each object and
            // then delete it. A kubeconfig that cannot be read on either side is an update.
            if (before is not null && after is not null && !string.Equals(before, after, StringComparison.OrdinalIgnoreCase))
            {
                replace.AddRange(changed.Where(k => k is "kubeconfig" or "context"));
                detailed = [.. detailed.Select(d => InputDiff.TopLevelKey(d.Path) is "kubeconfig" or "context" ? d with { Kind = DiffKind.UpdateReplace } : d)];
            }
        }
        return new DiffResult(changed, replace, detailed);
    }

    public IProvider Create(JsonObject inputs)
    {
        var options = KubernetesProviderOptions.FromInputs(inputs);
        return new KubernetesProvider(tune is null ? options : tune(options));
    }

    /// <summary>The API server the configuration selects (kubeconfig contents, a path, or $KUBECONFIG / ~/.kube/config), or null when it cannot be read.</summary>
    public static string? ServerOf(JsonObject inputs)
    {
        if (PropertyValues.ContainsUnknowns(inputs)) return null;
        try
        {
            var options = KubernetesProviderOptions.FromInputs(inputs);
            var text = options.Kubeconfig
                ?? (Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } env ? env.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() : null)
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
            var config = KubernetesConnection.LooksLikeContents(text)
                ? KubernetesClientConfiguration.LoadKubeConfig(new MemoryStream(Encoding.UTF8.GetBytes(text)))
                : File.Exists(text) ? KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(text)) : null;
            if (config is null) return null;
            var contextName = options.Context ?? config.CurrentContext;
            var context = config.Contexts?.FirstOrDefault(c => c.Name == contextName);
            var cluster = config.Clusters?.FirstOrDefault(c => c.Name == context?.ContextDetails?.Cluster);
            return cluster?.ClusterEndpoint?.Server;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }
}
