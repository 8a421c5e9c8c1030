using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;
using Llmctl.Components.Certificates;
using Llmctl.Components.Helm;
using Llmctl.Components.Observability;

namespace Llmctl.Components.Kubernetes;

/// <summary>
/// Kubernetes objects as JSON, as <see cref="KubernetesJson"/> writes them (camelCase, nulls omitted, the client's
/// date, time-span and status converters), for the client's own models and for the custom-resource models llmctl
/// declares (cert-manager, k3s HelmChart, Prometheus operator). KubernetesClient.Aot resolves only its own
/// source-generated models; <see cref="CustomResourceJsonContext"/> adds ours, without reflection.
/// </summary>
public static class KubernetesModelJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>The object as JSON, by its runtime type.</summary>
    /// <exception cref="NotSupportedException">The type is neither a KubernetesClient model nor one <see cref="CustomResourceJsonContext"/> lists.</exception>
    public static JsonObject ToJsonObject(object obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (!Options.TryGetTypeInfo(obj.GetType(), out var info))
        {
            throw new NotSupportedException($"{obj.GetType().Name} is not a Kubernetes model llmctl can write: add it to {nameof(CustomResourceJsonContext)}");
        }
        return JsonSerializer.SerializeToNode(obj, info)?.AsObject()
            ?? throw new InvalidOperationException($"{obj.GetType().Name} serialized to null");
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            // The client's models first: they carry the metadata KubernetesJson itself uses.
            TypeInfoResolver = JsonTypeInfoResolver.Combine(SourceGenerationContext.Default, CustomResourceJsonContext.Default),
        };
        options.Converters.Add(new KubernetesJson.Iso8601TimeSpanConverter());
        options.Converters.Add(new KubernetesJson.KubernetesDateTimeConverter());
        options.Converters.Add(new KubernetesJson.KubernetesDateTimeOffsetConverter());
        options.Converters.Add(new V1Status.V1StatusObjectViewConverter());
        options.MakeReadOnly();
        return options;
    }
}

/// <summary>The custom-resource models llmctl declares with <see cref="KubernetesEntityAttribute"/>: every one must be listed here.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(V1ClusterIssuer))]
// Two models share this name: cert-manager's (ours) and the core API's (a ServiceMonitor's credentials).
[JsonSerializable(typeof(Certificates.V1SecretKeySelector), TypeInfoPropertyName = "CertManagerSecretKeySelector")]
[JsonSerializable(typeof(k8s.Models.V1SecretKeySelector), TypeInfoPropertyName = "CoreSecretKeySelector")]
[JsonSerializable(typeof(V1Certificate))]
[JsonSerializable(typeof(V1HelmChart))]
[JsonSerializable(typeof(V1HelmChartConfig))]
[JsonSerializable(typeof(V1ServiceMonitor))]
[JsonSerializable(typeof(V1PrometheusRule))]
public sealed partial class CustomResourceJsonContext : JsonSerializerContext;
