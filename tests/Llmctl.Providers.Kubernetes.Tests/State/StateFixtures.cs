using System.Text;
using System.Text.Json.Nodes;
using Llmctl.Engine.Config;
using Llmctl.Engine.Model;
using Llmctl.Engine.State;
using Llmctl.Providers.Kubernetes.State;
using Llmctl.Testing.Kubernetes;

namespace Llmctl.Providers.Kubernetes.Tests.State;

/// <summary>Checkpoints, a reversible crypter and backends pointed at a fake API server.</summary>
internal static class StateFixtures
{
    public const string Password = "hunter2-very-secret";

    public static KubernetesBackend Backend(FakeKubernetesServer server, Func<KubernetesBackendOptions, KubernetesBackendOptions>? tweak = null)
    {
        var options = new KubernetesBackendOptions
        {
            Cluster = ProviderHarness.FastOptions(server),
            RenewInterval = TimeSpan.FromMinutes(10),
        };
        return new KubernetesBackend(tweak?.Invoke(options) ?? options);
    }

    public static StackCheckpoint WithSecret(string stack = "homelab")
    {
        var root = new ResourceState
        {
            Urn = Urn.Create(stack, "llm-platform", null, StackResource.TypeToken, "llm-platform-" + stack),
            Type = StackResource.TypeToken,
            Outputs = new JsonObject { ["gatewayUrl"] = "https://llm.example.ts.net" },
        };
        var holder = new ResourceState
        {
            Urn = Urn.Create(stack, "llm-platform", null, "kubernetes:core/v1:Secret", "gateway-key"),
            Type = "kubernetes:core/v1:Secret",
            Custom = true,
            Id = "llm/gateway-key",
            Parent = root.Urn,
            Inputs = new JsonObject { ["stringData"] = new JsonObject { ["key"] = PropertyValues.Secret(Password) } },
            Dependencies = [root.Urn],
        };
        return new StackCheckpoint { Project = "llm-platform", Stack = stack, Resources = [root, holder], Time = new DateTimeOffset(2026, 3, 2, 8, 30, 16, TimeSpan.Zero) };
    }

    public static string SecretValue(StackCheckpoint checkpoint) =>
        PropertyValues.Unwrap(checkpoint.Resources[1].Inputs["stringData"]!["key"])!.GetValue<string>();

    /// <summary>The bytes under <paramref name="key"/> of a stored Secret, decoded from base64.</summary>
    public static byte[]? Data(JsonObject? secret, string key) =>
        secret?["data"]?[key]?.GetValue<string>() is { } b64 ? Convert.FromBase64String(b64) : null;

    public static JsonObject Lease(string name, string holder, DateTimeOffset renewed, int seconds = 60, Dictionary<string, string>? annotations = null) => new()
    {
        ["apiVersion"] = "coordination.k8s.io/v1",
        ["kind"] = "Lease",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = "llmctl-state",
            ["annotations"] = new JsonObject((annotations ?? []).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        },
        ["spec"] = new JsonObject
        {
            ["holderIdentity"] = holder,
            ["leaseDurationSeconds"] = seconds,
            ["acquireTime"] = renewed.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ"),
            ["renewTime"] = renewed.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ"),
        },
    };

    public static JsonObject Namespace(string name) => new() { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } };
}

/// <summary>A reversible stand-in for the passphrase crypter: <c>v1:fake:&lt;base64 of the bytes xor 0x5a&gt;</c>.</summary>
internal sealed class FakeCrypter : ISecretCrypter
{
    public string Encrypt(string plaintext) =>
        "v1:fake:" + Convert.ToBase64String(Encoding.UTF8.GetBytes(plaintext).Select(b => (byte)(b ^ 0x5a)).ToArray());

    public string Decrypt(string ciphertext)
    {
        if (!ciphertext.StartsWith("v1:fake:", StringComparison.Ordinal)) throw new SecretDecryptionException("not a fake ciphertext");
        return Encoding.UTF8.GetString(Convert.FromBase64String(ciphertext[8..]).Select(b => (byte)(b ^ 0x5a)).ToArray());
    }
}
