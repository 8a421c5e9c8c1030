using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using k8s;
using Llmctl.Engine.Providers;

namespace Llmctl.Providers.Kubernetes;

/// <summary>
/// The client, made on first use and then shared (it is thread-safe). A failure to build it is not cached, so a
/// deferred kubeconfig that was not known yet can be asked again.
/// </summary>
internal sealed class KubernetesConnection(KubernetesProviderOptions options)
{
    private readonly object _gate = new();
    private IKubernetes? _client;

    /// <summary>The configuration the client was built from (null with a <see cref="KubernetesProviderOptions.ClientFactory"/>); for <see cref="ServiceProxy"/>.</summary>
    public KubernetesClientConfiguration? Configuration { get; private set; }

    public IKubernetes Client
    {
        get
        {
            if (Volatile.Read(ref _client) is { } client) return client;
            lock (_gate)
            {
                return _client ??= Create();
            }
        }
    }

    private IKubernetes Create()
    {
        if (options.ClientFactory is { } factory) return factory();
        // $KUBECONFIG as kubectl reads it (the first file of a list), then ~/.kube/config; the client library itself
        // ignores the variable.
        var text = options.KubeconfigSource?.Invoke() ?? options.Kubeconfig
            ?? (Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } env ? env.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() : null);
        KubernetesClientConfiguration config;
        try
        {
            config = text switch
            {
                null => KubernetesClientConfiguration.BuildConfigFromConfigFile(currentContext: options.Context),
                _ when LooksLikeContents(text) => KubernetesClientConfiguration.BuildConfigFromConfigFile(new MemoryStream(Encoding.UTF8.GetBytes(text)), options.Context),
                _ => KubernetesClientConfiguration.BuildConfigFromConfigFile(text, options.Context),
            };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var where = text is null ? "$KUBECONFIG or ~/.kube/config" : LooksLikeContents(text) ? "kubernetes:kubeconfig (contents)" : $"'{text}'";
            throw new ProviderException($"cannot load the kubeconfig from {where}{(options.Context is null ? "" : $" (context '{options.Context}')")}: {e.Message}", e);
        }
        config.HttpClientTimeout = options.RequestTimeout;
        // KubernetesClient.Aot resolves only its own models; an object read from the server and written back carries
        // JsonElement values (managedFields[].fieldsV1), which its context lacks: ClientJsonContext adds them.
        config.JsonSerializerOptions.TypeInfoResolver = JsonTypeInfoResolver.Combine(SourceGenerationContext.Default, ClientJsonContext.Default);
        Configuration = config;
        return new k8s.Kubernetes(config);
    }

    internal static bool LooksLikeContents(string text) => text.Contains('\n') || text.TrimStart().StartsWith('{') || text.Contains("apiVersion:", StringComparison.Ordinal);
}

/// <summary>The untyped JSON values a model read from the server holds in its <c>object</c> properties.</summary>
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(JsonNode))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;
