using System.Text.Json.Nodes;
using k8s.Models;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Certificates;

/// <summary>
/// Kubernetes Secrets whose values come from secret configuration (<see cref="Output{T}"/>). The values go into the
/// resource's <c>stringData</c> inputs as deferred outputs that always resolve secret-wrapped, so they are encrypted in
/// the checkpoint, shown as <c>[secret]</c> and never rendered to GitOps files. The typed <see cref="KubernetesObject{T}.Object"/>
/// carries only the metadata and the type: do not <c>Customize</c> such a Secret, which renders the inputs again
/// from the typed object and drops the values.
/// </summary>
public static class SecretObjects
{
    public static KubernetesObject<V1Secret> FromConfig(
        string resourceName,
        string secretName,
        string @namespace,
        IReadOnlyDictionary<string, Output<string>> values,
        CustomResourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(values);
        var secret = new KubernetesObject<V1Secret>(resourceName, new V1Secret
        {
            Metadata = new V1ObjectMeta
            {
                Name = secretName,
                NamespaceProperty = @namespace,
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "llmctl" },
            },
            Type = "Opaque",
        }, options);
        var stringData = new JsonObject();
        foreach (var (key, value) in values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            stringData[key] = secret.Context.ToInput(value.AsSecret());
        }
        secret.Inputs["stringData"] = stringData;
        return secret;
    }
}
