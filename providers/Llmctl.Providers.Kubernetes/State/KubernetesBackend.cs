using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Llmctl.Engine.Config;
using Llmctl.Engine.Providers;
using Llmctl.Engine.State;
using Polly;
using Polly.Retry;

namespace Llmctl.Providers.Kubernetes.State;

/// <summary>
/// State in the cluster, for <c>llmctl up</c> from CI (<c>kubernetes://&lt;namespace&gt;</c>). The checkpoint of
/// <c>&lt;project&gt;/&lt;stack&gt;</c> is a Secret <c>llmctl-&lt;project&gt;-&lt;stack&gt;</c> (see
/// <see cref="StateNames.ObjectName"/>) labelled <c>app.kubernetes.io/managed-by: llmctl</c>, <c>llmctl.io/project</c>
/// and <c>llmctl.io/stack</c>. Its data is <c>checkpoint.json</c>, or <c>checkpoint.json.gz</c> (gzip) when the
/// JSON is over <see cref="KubernetesBackendOptions.PlainLimitBytes"/>; a checkpoint still over 1 MiB compressed is
/// refused before anything is written. Secrets inside the checkpoint stay encrypted by the stack's secrets
/// provider: the Secret itself is only base64.
/// <para>
/// Writes are optimistic: a save replaces the Secret at the <c>resourceVersion</c> this backend last read or wrote,
/// so a writer that lost a race gets <see cref="CheckpointConflictException"/> and writes nothing. A save with no
/// earlier read of that stack (a blind write) takes the current version as its base.
/// </para>
/// The lock is a <c>coordination.k8s.io/v1</c> Lease of the same name (see <c>LockAsync</c>), the history a ConfigMap
/// of the same name (see <c>AppendHistoryAsync</c>).
/// </summary>
public sealed partial class KubernetesBackend : IStateBackend
{
    private readonly KubernetesConnection _connection;
    private readonly KubernetesBackendOptions _options;
    private readonly ResiliencePipeline _retry;
    // Per stack: the resourceVersion of the Secret as last read or written; null when it was read as absent.
    private readonly ConcurrentDictionary<(string Project, string Stack), string?> _versions = new();

    public KubernetesBackend(KubernetesBackendOptions? options = null)
    {
        _options = options ?? new KubernetesBackendOptions();
        if (!StateNames.IsDnsLabel(_options.Namespace)) throw new ArgumentException($"'{_options.Namespace}' is not a namespace name", nameof(options));
        if (_options.LeaseDuration < TimeSpan.FromSeconds(1)) throw new ArgumentException("the lease duration must be at least a second", nameof(options));
        _connection = new KubernetesConnection(_options.Cluster);
        var retry = _options.Cluster.Retry;
        _retry = retry.MaxAttempts <= 1
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = retry.MaxAttempts - 1,
                Delay = retry.BaseDelay,
                MaxDelay = retry.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(ObjectApi.IsTransient(args.Outcome.Exception, args.Context.CancellationToken)),
            }).Build();
    }

    /// <summary>Registers <c>kubernetes://</c> with <see cref="BackendFactory"/>; the CLI calls this once at start-up.</summary>
    public static void Register() =>
        BackendFactory.Register("kubernetes", request => new KubernetesBackend(KubernetesBackendOptions.FromRequest(request)));

    public string Namespace => _options.Namespace;

    public string Url => "kubernetes://" + _options.Namespace;

    /// <summary>The name of the stack's Secret and Lease.</summary>
    public static string ObjectName(string project, string stack) =>
        StateNames.ObjectName(CheckName(project, "project"), CheckName(stack, "stack"));

    public async Task<bool> ExistsAsync(string project, string stack, CancellationToken cancellationToken = default) =>
        await ReadSecretAsync(ObjectName(project, stack), cancellationToken).ConfigureAwait(false) is not null;

    public async Task CreateAsync(string project, string stack, CancellationToken cancellationToken = default)
    {
        var name = ObjectName(project, stack);
        var bytes = CheckpointSerializer.Serialize(StackCheckpoint.Empty(project, stack) with { Time = _options.Time.GetUtcNow() }, null);
        var body = SecretBody(project, stack, name, bytes, 0, _options.Time.GetUtcNow());
        try
        {
            var created = await CreateInNamespaceAsync(c => c.CoreV1.CreateNamespacedSecretAsync(body, _options.Namespace, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
            _versions[(project, stack)] = created.ResourceVersion();
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict)
        {
            throw new StackAlreadyExistsException(stack);
        }
    }

    public async Task<StackCheckpoint?> LoadAsync(string project, string stack, ISecretCrypter? crypter, CancellationToken cancellationToken = default)
    {
        var name = ObjectName(project, stack);
        var secret = await ReadSecretAsync(name, cancellationToken).ConfigureAwait(false);
        if (secret is null)
        {
            _versions[(project, stack)] = null;
            return null;
        }
        var source = $"Secret {_options.Namespace}/{name}";
        CheckOwner(secret, project, stack, source);
        var checkpoint = CheckpointSerializer.Deserialize(Decode(secret, source), crypter, source, project);
        _versions[(project, stack)] = secret.ResourceVersion();
        return checkpoint;
    }

    public async Task SaveAsync(StackCheckpoint checkpoint, ISecretCrypter? crypter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var (project, stack) = (checkpoint.Project, checkpoint.Stack);
        var name = ObjectName(project, stack);
        var source = $"Secret {_options.Namespace}/{name}";
        // Serialize (and encrypt) first: a secret that cannot be encrypted fails before anything is sent.
        var json = CheckpointSerializer.Serialize(checkpoint, crypter);
        var body = SecretBody(project, stack, name, json, checkpoint.Resources.Count, checkpoint.Time ?? _options.Time.GetUtcNow());

        if (!_versions.TryGetValue((project, stack), out var expected))
        {
            var live = await ReadSecretAsync(name, cancellationToken).ConfigureAwait(false);
            if (live is not null) CheckOwner(live, project, stack, source);
            expected = live?.ResourceVersion();
        }

        V1Secret written;
        try
        {
            if (expected is null)
            {
                written = await CreateInNamespaceAsync(c => c.CoreV1.CreateNamespacedSecretAsync(body, _options.Namespace, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                body.Metadata.ResourceVersion = expected;
                written = await CallAsync(c => c.CoreV1.ReplaceNamespacedSecretAsync(body, name, _options.Namespace, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            // A retried request the server had already carried out looks like a lost race; it is not one if the
            // Secret now holds exactly what this save wrote.
            var now = await ReadSecretAsync(name, cancellationToken).ConfigureAwait(false);
            if (now is not null && SameData(now, body))
            {
                _versions[(project, stack)] = now.ResourceVersion();
                return;
            }
            var what = now is null ? "was deleted" : $"was changed by someone else (resourceVersion {now.ResourceVersion()})";
            throw new CheckpointConflictException(
                $"the checkpoint of stack '{stack}' ({source}) {what} after llmctl read it"
                + (expected is null ? " as absent" : $" at resourceVersion {expected}")
                + "; nothing was written. Another llmctl run may have changed the stack without holding its lock (was it force-unlocked?); run again to start from the current state",
                e);
        }
        _versions[(project, stack)] = written.ResourceVersion();
    }

    public async Task<IReadOnlyList<StackSummary>> ListAsync(string project, CancellationToken cancellationToken = default)
    {
        CheckName(project, "project");
        var selector = $"{StateNames.ManagedByLabel}={StateNames.ManagedBy},{StateNames.ProjectLabel}={StateNames.LabelValue(project)}";
        V1SecretList list;
        try
        {
            list = await CallAsync(c => c.CoreV1.ListNamespacedSecretAsync(_options.Namespace, labelSelector: selector, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }
        return (list.Items ?? [])
            .Where(s => Annotation(s, StateNames.ProjectAnnotation) == project && Annotation(s, StateNames.StackAnnotation) is not null)
            .Select(s => new StackSummary(project, Annotation(s, StateNames.StackAnnotation)!,
                DateTimeOffset.TryParse(Annotation(s, StateNames.UpdatedAnnotation), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null,
                int.TryParse(Annotation(s, StateNames.ResourceCountAnnotation), CultureInfo.InvariantCulture, out var n) ? n : 0,
                $"Secret {_options.Namespace}/{s.Metadata.Name}"))
            .OrderBy(s => s.Stack, StringComparer.Ordinal)
            .ToList();
    }

    public async Task RemoveAsync(string project, string stack, CancellationToken cancellationToken = default)
    {
        var name = ObjectName(project, stack);
        try
        {
            await CallAsync(c => c.CoreV1.DeleteNamespacedSecretAsync(name, _options.Namespace, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
        }
        await RemoveHistoryAsync(name, cancellationToken).ConfigureAwait(false);
        _versions.TryRemove((project, stack), out _);
    }

    private V1Secret SecretBody(string project, string stack, string name, byte[] json, int resources, DateTimeOffset updated)
    {
        string key;
        byte[] data;
        if (json.Length <= _options.PlainLimitBytes)
        {
            (key, data) = (StateNames.PlainKey, json);
        }
        else
        {
            using var buffer = new MemoryStream();
            using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true)) gzip.Write(json);
            (key, data) = (StateNames.GzipKey, buffer.ToArray());
        }
        if (data.Length > StateNames.MaxSecretBytes)
        {
            throw new CheckpointFormatException(
                $"the checkpoint of stack '{stack}' is {json.Length / 1024} KiB ({data.Length / 1024} KiB compressed), more than the 1 MiB a Kubernetes Secret can hold; nothing was written. Keep this stack's state in a folder (backend file://<path>)");
        }
        return new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Type = "Opaque",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = _options.Namespace,
                Labels = Labels(project, stack),
                Annotations = new Dictionary<string, string>
                {
                    [StateNames.ProjectAnnotation] = project,
                    [StateNames.StackAnnotation] = stack,
                    [StateNames.ResourceCountAnnotation] = resources.ToString(CultureInfo.InvariantCulture),
                    [StateNames.UpdatedAnnotation] = updated.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                },
            },
            Data = new Dictionary<string, byte[]> { [key] = data },
        };
    }

    private static Dictionary<string, string> Labels(string project, string stack) => new()
    {
        [StateNames.ManagedByLabel] = StateNames.ManagedBy,
        [StateNames.ProjectLabel] = StateNames.LabelValue(project),
        [StateNames.StackLabel] = StateNames.LabelValue(stack),
    };

    private static byte[] Decode(V1Secret secret, string source)
    {
        if (secret.Data?.TryGetValue(StateNames.GzipKey, out var compressed) == true)
        {
            try
            {
                using var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
                using var plain = new MemoryStream();
                gzip.CopyTo(plain);
                return plain.ToArray();
            }
            catch (InvalidDataException e)
            {
                throw new CheckpointFormatException($"{source}: '{StateNames.GzipKey}' is not gzip data: {e.Message}", e);
            }
        }
        if (secret.Data?.TryGetValue(StateNames.PlainKey, out var json) == true) return json;
        throw new CheckpointFormatException($"{source} holds no '{StateNames.PlainKey}' (or '{StateNames.GzipKey}'): it is not an llmctl checkpoint");
    }

    /// <summary>Two stacks whose names differ only in separators (<c>a-b</c>/<c>c</c>, <c>a</c>/<c>b-c</c>) would share a name.</summary>
    private static void CheckOwner(V1Secret secret, string project, string stack, string source)
    {
        var (p, s) = (Annotation(secret, StateNames.ProjectAnnotation), Annotation(secret, StateNames.StackAnnotation));
        if (p == project && s == stack) return;
        throw new CheckpointFormatException(p is null || s is null
            ? $"{source} exists but was not written by llmctl (no {StateNames.ProjectAnnotation}/{StateNames.StackAnnotation} annotations); move it away or use another namespace"
            : $"{source} holds the checkpoint of stack '{p}/{s}', not '{project}/{stack}': the two names map to the same Secret; rename one stack or keep them in different namespaces");
    }

    private static bool SameData(V1Secret live, V1Secret written) =>
        live.Data is { } a && written.Data is { } b && a.Count == b.Count
        && b.All(kv => a.TryGetValue(kv.Key, out var v) && v.AsSpan().SequenceEqual(kv.Value));

    private static string? Annotation(V1Secret secret, string key) => secret.Metadata?.Annotations?.TryGetValue(key, out var v) == true ? v : null;

    private async Task<V1Secret?> ReadSecretAsync(string name, CancellationToken ct)
    {
        try
        {
            return await CallAsync(c => c.CoreV1.ReadNamespacedSecretAsync(name, _options.Namespace, cancellationToken: ct), ct).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>A create; when the namespace does not exist yet it is created (labelled as ours) and the create is tried again.</summary>
    private async Task<T> CreateInNamespaceAsync<T>(Func<IKubernetes, Task<T>> create, CancellationToken ct)
    {
        try
        {
            return await CallAsync(create, ct).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound && StatusKind(e) == "namespaces")
        {
            var ns = new V1Namespace
            {
                ApiVersion = "v1",
                Kind = "Namespace",
                Metadata = new V1ObjectMeta { Name = _options.Namespace, Labels = new Dictionary<string, string> { [StateNames.ManagedByLabel] = StateNames.ManagedBy } },
            };
            try
            {
                await CallAsync(c => c.CoreV1.CreateNamespaceAsync(ns, cancellationToken: ct), ct).ConfigureAwait(false);
                OperationProgress.Report($"created namespace '{_options.Namespace}' for llmctl state");
            }
            catch (HttpOperationException n) when (n.Response?.StatusCode == HttpStatusCode.Conflict)
            {
            }
            return await CallAsync(create, ct).ConfigureAwait(false);
        }
    }

    private static string? StatusKind(HttpOperationException e)
    {
        try
        {
            return string.IsNullOrEmpty(e.Response?.Content) ? null : JsonNode.Parse(e.Response.Content)?["details"]?["kind"]?.GetValue<string>();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// One API call, retried on transient failures. 404 and 409 reach the caller as <see cref="HttpOperationException"/>;
    /// any other refusal becomes a <see cref="KubernetesStateException"/> that names the namespace.
    /// </summary>
    private async Task<T> CallAsync<T>(Func<IKubernetes, Task<T>> call, CancellationToken ct)
    {
        var client = _connection.Client;
        try
        {
            return await _retry.ExecuteAsync(async token => await call(client).WaitAsync(token).ConfigureAwait(false), ct).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.Conflict))
        {
            var message = StatusMessage(e) ?? e.Message;
            var hint = e.Response?.StatusCode is HttpStatusCode.Forbidden
                ? $"; the kubeconfig's user needs get, list, create, update and delete on secrets and leases (coordination.k8s.io) in namespace '{_options.Namespace}'"
                : "";
            throw new KubernetesStateException($"the state backend {Url} failed: {message}{hint}", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw new KubernetesStateException($"the state backend {Url} cannot reach the cluster: {ObjectApi.Describe(e)}", e);
        }
    }

    private static string? StatusMessage(HttpOperationException e)
    {
        try
        {
            return string.IsNullOrEmpty(e.Response?.Content) ? null : JsonNode.Parse(e.Response.Content)?["message"]?.GetValue<string>();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string CheckName(string value, string what)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, what);
        if (!NamePattern().IsMatch(value))
        {
            throw new ArgumentException($"{what} name '{value}' may only hold letters, digits, '-', '_' and '.', and must not start with '.'", what);
        }
        return value;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$")]
    private static partial Regex NamePattern();
}

/// <summary>The cluster refused or could not be reached for a state operation (RBAC, network, server error).</summary>
public sealed class KubernetesStateException(string message, Exception? inner = null) : Exception(message, inner);
