using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Providers;

namespace Llmctl.Providers.Kubernetes;

/// <summary>
/// How the <c>kubernetes</c> provider connects and behaves. The connection is made on the first call that needs
/// the cluster, so a preview without a cluster (nothing to read, no live diff) never needs one.
/// Kubeconfig precedence: <see cref="ClientFactory"/> &gt; <see cref="KubeconfigSource"/> (when it returns a value)
/// &gt; <see cref="Kubeconfig"/> &gt; <c>$KUBECONFIG</c> / <c>~/.kube/config</c>.
/// </summary>
public sealed record KubernetesProviderOptions
{
    /// <summary>Stack config key for the kubeconfig (contents or a path), as Pulumi's provider names it.</summary>
    public const string KubeconfigKey = "kubernetes:kubeconfig";
    public const string ContextKey = "kubernetes:context";
    public const string EnablePatchForceKey = "kubernetes:enablePatchForce";
    /// <summary>How long one HTTP request to the API server may take (seconds, or <c>90s</c>, <c>2m</c>); not a resource's timeout.</summary>
    public const string RequestTimeoutKey = "kubernetes:requestTimeout";

    /// <summary>Kubeconfig contents (YAML) or a path to one.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>Kubeconfig contents known only later (the k3s cluster's output); asked on first use.</summary>
    public Func<string?>? KubeconfigSource { get; init; }

    /// <summary>The kubeconfig context; its current-context when null.</summary>
    public string? Context { get; init; }

    /// <summary>The namespace of namespaced objects that name none (Pulumi's provider <c>namespace</c>); else <c>default</c>.</summary>
    public string? DefaultNamespace { get; init; }

    /// <summary>Builds the client directly (tests, or a caller that already has one).</summary>
    public Func<k8s.IKubernetes>? ClientFactory { get; init; }

    /// <summary>The server-side apply field manager.</summary>
    public string FieldManager { get; init; } = "llmctl";

    /// <summary>Force every apply (take fields other managers own). Per object: <c>llmctl.io/patchForce: "true"</c>.</summary>
    public bool ForcePatch { get; init; }

    /// <summary>
    /// Live diff (<c>preview --refresh</c>): diff by a server-side dry-run apply against the live object instead of
    /// comparing inputs with the checkpoint. One round trip per resource; the planner bounds the concurrency.
    /// </summary>
    public bool LiveDiff { get; init; }

    /// <summary>How often readiness and deletion are polled.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The HTTP timeout of one request (a timed-out request is retried).</summary>
    public TimeSpan RequestTimeout { get; init; } = DefaultRequestTimeout;

    /// <summary>Retries of transient failures (5xx, 429, timeouts, connection resets).</summary>
    public RetrySettings Retry { get; init; } = new();

    /// <summary>The options the CLI builds from stack config (<c>kubernetes:kubeconfig</c>, <c>kubernetes:context</c>, …).</summary>
    public static KubernetesProviderOptions FromConfig(IReadOnlyDictionary<string, string> config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.TryGetValue(RequestTimeoutKey, out var timeout) && TryParseDuration(timeout) is null)
        {
            throw new Llmctl.Engine.Config.ConfigException([new Llmctl.Engine.Config.ConfigDiagnostic("stack config", 0, 0, RequestTimeoutKey,
                $"'{timeout}' is not a duration", "write whole seconds such as 30, or 90s, or 2m (the timeout of one HTTP request to the API server)")]);
        }
        var inputs = new JsonObject();
        foreach (var (key, value) in config)
        {
            if (key.StartsWith(Package, StringComparison.Ordinal)) inputs[key[Package.Length..]] = value;
        }
        return FromInputs(inputs);
    }

    /// <summary>
    /// The options a provider resource's inputs give (<c>pulumi:providers:kubernetes</c>: <c>kubeconfig</c> — contents
    /// or a path —, <c>context</c>, <c>namespace</c>, <c>requestTimeout</c>, <c>enablePatchForce</c>), the same names
    /// as the <c>kubernetes:*</c> stack config keys. Secret inputs are unwrapped; a bad timeout is a
    /// <see cref="ProviderException"/> (<see cref="Check"/> reports it before anything runs).
    /// </summary>
    public static KubernetesProviderOptions FromInputs(JsonObject inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var timeout = Text(inputs, "requestTimeout");
        return new KubernetesProviderOptions
        {
            Kubeconfig = Text(inputs, "kubeconfig"),
            Context = Text(inputs, "context"),
            DefaultNamespace = Text(inputs, "namespace"),
            ForcePatch = string.Equals(Text(inputs, "enablePatchForce"), "true", StringComparison.OrdinalIgnoreCase),
            RequestTimeout = timeout is null ? DefaultRequestTimeout
                : TryParseDuration(timeout) ?? throw new ProviderException($"requestTimeout '{timeout}' is not a duration: write whole seconds such as 30, or 90s, or 2m"),
        };
    }

    /// <summary>What is wrong with a provider resource's inputs, each naming the input.</summary>
    public static IReadOnlyList<CheckFailure> Check(JsonObject inputs)
    {
        var failures = new List<CheckFailure>();
        if (Text(inputs, "requestTimeout") is { } timeout && TryParseDuration(timeout) is null)
        {
            failures.Add(new CheckFailure("requestTimeout", $"'{timeout}' is not a duration: write whole seconds such as 30, or 90s, or 2m"));
        }
        foreach (var key in new[] { "kubeconfig", "context", "namespace" })
        {
            if (PropertyValues.Unwrap(inputs[key]) is { } node && !PropertyValues.IsUnknown(node) && node is not JsonValue)
            {
                failures.Add(new CheckFailure(key, "must be a string"));
            }
        }
        return failures;
    }

    private const string Package = "kubernetes:";

    private static string? Text(JsonObject inputs, string key) => PropertyValues.Reveal(inputs[key]) switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length == 0 ? null : s,
        JsonValue v => v.ToJsonString(),
        var other => other.ToJsonString(),
    };

    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Whole seconds (<c>45</c>) or a number with a unit (<c>90s</c>, <c>2m</c>); null when it is neither.</summary>
    private static TimeSpan? TryParseDuration(string text)
    {
        var t = text.Trim();
        var (number, scale) = t.EndsWith('m') ? (t[..^1], 60) : t.EndsWith('s') ? (t[..^1], 1) : (t, 1);
        return int.TryParse(number, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0
            ? TimeSpan.FromSeconds((long)n * scale)
            : null;
    }
}

/// <summary>Exponential backoff with jitter: <see cref="MaxAttempts"/> tries in all, delays from <see cref="BaseDelay"/> up to <see cref="MaxDelay"/>.</summary>
public sealed record RetrySettings
{
    public int MaxAttempts { get; init; } = 5;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);
}
