using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Llmctl.Engine.Providers;
using Polly;
using Polly.Retry;

namespace Llmctl.Providers.Kubernetes;

/// <summary>
/// The few API calls the provider makes — server-side apply, get, delete — through KubernetesClient's custom-object
/// operations (which also address the core group, as <c>/api/v1</c>), each retried on transient failures.
/// GenericClient is avoided on purpose: it drops <c>fieldManager</c>, <c>force</c>, <c>dryRun</c> and <c>fieldValidation</c>.
/// </summary>
internal sealed class ObjectApi
{
    private readonly KubernetesConnection _connection;
    private readonly KubernetesProviderOptions _options;
    private readonly ResiliencePipeline _retry;

    public ObjectApi(KubernetesConnection connection, KubernetesProviderOptions options)
    {
        _connection = connection;
        _options = options;
        _retry = options.Retry.MaxAttempts <= 1
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.Retry.MaxAttempts - 1,
                Delay = options.Retry.BaseDelay,
                MaxDelay = options.Retry.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome.Exception, args.Context.CancellationToken)),
                OnRetry = args =>
                {
                    OperationProgress.Report($"transient failure ({Describe(args.Outcome.Exception)}); retry {args.AttemptNumber + 1} of {options.Retry.MaxAttempts - 1}");
                    return ValueTask.CompletedTask;
                },
            }).Build();
    }

    public async Task<JsonObject> ApplyAsync(KindInfo kind, string? ns, string name, JsonObject body, bool force, bool dryRun, CancellationToken ct)
    {
        var patch = new V1Patch(body.ToJsonString(), V1Patch.PatchType.ApplyPatch);
        var result = await CallAsync(c => kind.Namespaced
            ? c.CustomObjects.PatchNamespacedCustomObjectAsync(patch, kind.Group, kind.Version, ns, kind.Plural, name,
                dryRun: dryRun ? "All" : null, fieldManager: _options.FieldManager, fieldValidation: "Strict", force: force ? true : null, cancellationToken: ct)
            : c.CustomObjects.PatchClusterCustomObjectAsync(patch, kind.Group, kind.Version, kind.Plural, name,
                dryRun: dryRun ? "All" : null, fieldManager: _options.FieldManager, fieldValidation: "Strict", force: force ? true : null, cancellationToken: ct), ct).ConfigureAwait(false);
        return ToObject(result) ?? throw new ProviderException($"the API server answered an apply of {kind.Kind} '{name}' with an empty body");
    }

    /// <summary>The live object, or null when it does not exist.</summary>
    public async Task<JsonObject?> GetAsync(KindInfo kind, string? ns, string name, CancellationToken ct)
    {
        try
        {
            var result = await CallAsync(c => kind.Namespaced
                ? c.CustomObjects.GetNamespacedCustomObjectAsync(kind.Group, kind.Version, ns, kind.Plural, name, ct)
                : c.CustomObjects.GetClusterCustomObjectAsync(kind.Group, kind.Version, kind.Plural, name, ct), ct).ConfigureAwait(false);
            return ToObject(result);
        }
        catch (KubernetesApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// The last <paramref name="lines"/> lines of the newest Pod a Job created (<c>job-name=&lt;job&gt;</c>), or null
    /// when there is none or its log cannot be read: a failed helm install is reported with what helm printed.
    /// </summary>
    public async Task<string?> JobLogTailAsync(string ns, string job, int lines, CancellationToken ct)
    {
        try
        {
            var client = _connection.Client;
            var pods = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"job-name={job}", cancellationToken: ct).ConfigureAwait(false);
            var newest = pods.Items.OrderByDescending(p => p.Metadata?.CreationTimestamp).FirstOrDefault();
            if (newest?.Metadata?.Name is not { } pod) return null;
            await using var stream = await client.CoreV1.ReadNamespacedPodLogAsync(pod, ns, tailLines: lines, cancellationToken: ct).ConfigureAwait(false);
            using var reader = new StreamReader(stream);
            var text = (await reader.ReadToEndAsync(ct).ConfigureAwait(false)).TrimEnd();
            return text.Length == 0 ? null : text;
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
        {
            return null;
        }
    }

    /// <summary>Asks for deletion; false when the object was already gone.</summary>
    public async Task<bool> DeleteAsync(KindInfo kind, string? ns, string name, string propagationPolicy, CancellationToken ct)
    {
        try
        {
            await CallAsync(c => kind.Namespaced
                ? c.CustomObjects.DeleteNamespacedCustomObjectAsync(kind.Group, kind.Version, ns, kind.Plural, name, propagationPolicy: propagationPolicy, cancellationToken: ct)
                : c.CustomObjects.DeleteClusterCustomObjectAsync(kind.Group, kind.Version, kind.Plural, name, propagationPolicy: propagationPolicy, cancellationToken: ct), ct).ConfigureAwait(false);
            return true;
        }
        catch (KubernetesApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private async Task<object?> CallAsync(Func<IKubernetes, Task<object>> call, CancellationToken ct)
    {
        var client = _connection.Client;
        try
        {
            return await _retry.ExecuteAsync(async token => (object?)await call(client).WaitAsync(token).ConfigureAwait(false), ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            // The client's own per-request timeout (it cancels with no inner TimeoutException): say what it was.
            throw new TimeoutException($"the Kubernetes API server at {client.BaseUri} did not answer within {Seconds(_options.RequestTimeout)} "
                + $"(kubernetes:requestTimeout; {Math.Max(1, _options.Retry.MaxAttempts)} attempts): raise the setting if the server is slow, or check that it is reachable", e);
        }
        catch (JsonException e)
        {
            throw new ProviderException($"the server at {client.BaseUri} answered with HTML or other text that is not JSON ({e.Message.Split(" Path:")[0]}): "
                + "it is not a Kubernetes API server — check the server URL in the kubeconfig (a wrong URL, or an authenticating proxy's login page?)", e);
        }
        catch (HttpOperationException e)
        {
            JsonObject? status = null;
            try
            {
                status = string.IsNullOrEmpty(e.Response?.Content) ? null : JsonNode.Parse(e.Response.Content) as JsonObject;
            }
            catch (JsonException)
            {
            }
            throw new KubernetesApiException(e.Response?.StatusCode ?? 0, status, e.Message, e);
        }
    }

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:0.###}s";

    private static JsonObject? ToObject(object? result) => result switch
    {
        null => null,
        JsonElement element => JsonObject.Create(element) is { } o ? (JsonObject)o.DeepClone() : null,
        JsonObject o => o,
        // The client reads an untyped body as a JsonElement; anything else is written back as the client writes it.
        _ => JsonNode.Parse(KubernetesJson.Serialize(result)) as JsonObject,
    };

    internal static bool IsTransient(Exception? e, CancellationToken ct) => e switch
    {
        HttpOperationException h => h.Response?.StatusCode is { } s && ((int)s >= 500 || s == HttpStatusCode.TooManyRequests),
        HttpRequestException or IOException => true,
        // HttpClient's own timeout surfaces as a cancellation nobody asked for.
        OperationCanceledException => !ct.IsCancellationRequested,
        _ => false,
    };

    internal static string Describe(Exception? e) => e switch
    {
        HttpOperationException h => $"HTTP {(int?)h.Response?.StatusCode}",
        OperationCanceledException => "request timed out",
        null => "unknown",
        _ => e.Message,
    };
}
