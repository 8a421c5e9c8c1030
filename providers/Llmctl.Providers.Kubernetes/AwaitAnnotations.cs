using System.Globalization;
using System.Text.Json.Nodes;

namespace Llmctl.Providers.Kubernetes;

/// <summary>
/// The per-object switches, read from <c>metadata.annotations</c>; each <c>llmctl.io/…</c> annotation also answers
/// to Pulumi's <c>pulumi.com/…</c> name so manifests written for Pulumi keep working.
/// </summary>
internal static class AwaitAnnotations
{
    public const string SkipAwait = "llmctl.io/skipAwait";
    public const string TimeoutSeconds = "llmctl.io/timeoutSeconds";
    public const string PatchForce = "llmctl.io/patchForce";
    public const string ModelServer = "llmctl.io/model-server";
    public const string WaitForEndpoints = "llmctl.io/waitForEndpoints";

    /// <summary>The engine's default per-resource timeout (<c>UpdateOptions.DefaultTimeout</c>).</summary>
    public static readonly TimeSpan EngineDefaultTimeout = TimeSpan.FromMinutes(10);

    /// <summary>What a model server waits by default: loading tens of GB of weights onto a GPU takes minutes.</summary>
    public static readonly TimeSpan ModelServerTimeout = TimeSpan.FromMinutes(20);

    public static string? Get(JsonObject obj, string name)
    {
        var annotations = obj["metadata"]?["annotations"] as JsonObject;
        if (annotations is null) return null;
        var value = annotations[name] ?? annotations[name.Replace("llmctl.io/", "pulumi.com/", StringComparison.Ordinal)];
        return value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
    }

    public static bool IsTrue(JsonObject obj, string name) => string.Equals(Get(obj, name), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The annotation <c>timeoutSeconds</c> wins. Otherwise a model server (<c>llmctl.io/model-server: "true"</c>)
    /// given exactly the engine's default of 10 minutes waits 20 — the provider cannot tell a default from an explicit
    /// 10-minute custom timeout, so "exactly 10 minutes" is read as "nobody chose". Anything else is used as given.
    /// </summary>
    public static TimeSpan Timeout(JsonObject obj, TimeSpan engineTimeout)
    {
        if (Get(obj, TimeoutSeconds) is { } text && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }
        return IsTrue(obj, ModelServer) && engineTimeout == EngineDefaultTimeout ? ModelServerTimeout : engineTimeout;
    }
}
