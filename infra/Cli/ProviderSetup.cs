using System.Text.Json.Nodes;
using Llmctl.Engine.Config;
using Llmctl.Engine.Model;
using Llmctl.Engine.Providers;
using Llmctl.Providers.Command;
using Llmctl.Providers.Kubernetes;
using Llmctl.Providers.Tailscale;

namespace Llmctl.Infra.Cli;

/// <summary>
/// The real providers for one stack: Kubernetes providers from provider resources (<see cref="KubernetesProviderFactory"/>;
/// the default one is configured from <c>kubernetes:*</c>: kubeconfig, context, namespace, patch force, request timeout)
/// and <c>tailscale:*</c> (API key or OAuth client, tailnet, base URL). Each is built on first use, so a stack that
/// never touches a package never needs its credentials, and secrets are decrypted only then.
/// </summary>
internal static class ProviderSetup
{
    public static ProviderRegistry ForStack(LoadedStack stack, Func<string, string?> environment, bool liveDiff)
    {
        // Checked now, so a bad value is a configuration error (exit 2) before anything runs, not a failure of the
        // first Kubernetes resource; the other keys (a secret kubeconfig) are still read only on first use.
        KubernetesProviderOptions.FromConfig(Values(stack, "kubernetes", only: KubernetesProviderOptions.RequestTimeoutKey));
        return Registry(stack, environment, liveDiff);
    }

    /// <summary>What preflight and switch read from the cluster, through the stack's <c>kubernetes:*</c> connection.</summary>
    public static ClusterFacts ClusterFacts(LoadedStack stack) =>
        new(KubernetesProviderOptions.FromConfig(Values(stack, "kubernetes")) with { RequestTimeout = TimeSpan.FromSeconds(10) });

    private static ProviderRegistry Registry(LoadedStack stack, Func<string, string?> environment, bool liveDiff) => new ProviderRegistry()
        .Register("command", new CommandProvider())
        // Kubernetes objects name a provider resource (the default one from kubernetes:* config, or one fed by
        // another resource's output, as the fleet's k3s kubeconfig); each is built when a step first needs it.
        .RegisterFactory(KubernetesProvider.Package, new KubernetesProviderFactory(options => options with { LiveDiff = liveDiff }))
        // Objects recorded before provider resources existed name none: they run on the provider from kubernetes:* config.
        .Register(KubernetesProvider.Package, new LazyProvider(() =>
            new KubernetesProvider(KubernetesProviderOptions.FromConfig(Values(stack, "kubernetes")) with { LiveDiff = liveDiff })))
        .Register(TailscaleProvider.Package, new LazyProvider(() =>
            new TailscaleProvider(TailscaleProviderOptions.FromConfig(Values(stack, "tailscale"), environment))));

    /// <summary>
    /// The stack's <c>&lt;ns&gt;:*</c> values as strings: scalars as written, secure values decrypted to their plain
    /// text (never the engine's secret wrapper: a provider reads a kubeconfig, not <c>{"value": …}</c>), structures as JSON.
    /// The result holds secrets in plain text: hand it only to a provider's options, never to output.
    /// </summary>
    public static Dictionary<string, string> Values(LoadedStack stack, string ns, string? only = null)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in stack.Config)
        {
            if (!key.StartsWith(ns + ":", StringComparison.Ordinal) || (only is not null && key != only)) continue;
            var node = PropertyValues.Reveal(YamlJson.ToJsonNode(value.Node, stack.Decrypt));
            result[key] = node switch
            {
                null => "",
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                _ => node.ToJsonString(),
            };
        }
        return result;
    }
}
