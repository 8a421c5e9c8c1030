using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Llmctl.Engine.State;

namespace Llmctl.Providers.Kubernetes.State;

/// <summary>
/// The stack's history: a ConfigMap of the same name as its Secret, labelled alike, whose <c>history.json</c> is a
/// JSON array of update records, oldest first (no secret is in a record, so a ConfigMap is enough). An append
/// replaces the ConfigMap at the <c>resourceVersion</c> it read and reads again when another writer came first. The
/// newest <see cref="MaxHistory"/> records are kept, so the object stays far below the 1 MiB a ConfigMap can hold.
/// </summary>
public sealed partial class KubernetesBackend
{
    public const int MaxHistory = 1000;
    private const string HistoryKey = "history.json";

    public async Task<UpdateRecord> AppendHistoryAsync(string project, string stack, UpdateRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var name = ObjectName(project, stack);
        for (var attempt = 0; ; attempt++)
        {
            var live = await ReadHistoryMapAsync(name, cancellationToken).ConfigureAwait(false);
            var records = live is null ? [] : ParseHistory(live, name);
            var stored = record with { Version = records.Select(r => r.Version).DefaultIfEmpty(0).Max() + 1 };
            records.Add(stored);
            var body = new V1ConfigMap
            {
                ApiVersion = "v1",
                Kind = "ConfigMap",
                Metadata = new V1ObjectMeta
                {
                    Name = name,
                    NamespaceProperty = _options.Namespace,
                    Labels = Labels(project, stack),
                    Annotations = new Dictionary<string, string> { [StateNames.ProjectAnnotation] = project, [StateNames.StackAnnotation] = stack },
                    ResourceVersion = live?.ResourceVersion(),
                },
                Data = new Dictionary<string, string>
                {
                    [HistoryKey] = new JsonArray(records.TakeLast(MaxHistory).Select(r => (JsonNode)r.ToJson()).ToArray()).ToJsonString(),
                },
            };
            try
            {
                if (live is null)
                {
                    await CreateInNamespaceAsync(c => c.CoreV1.CreateNamespacedConfigMapAsync(body, _options.Namespace, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await CallAsync(c => c.CoreV1.ReplaceNamespacedConfigMapAsync(body, name, _options.Namespace, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
                }
                return stored;
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound && attempt < 5)
            {
                // Another writer appended first (or removed the stack): read again and append after it.
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
            {
                throw new KubernetesStateException($"the history of stack '{stack}' (ConfigMap {_options.Namespace}/{name}) kept changing while llmctl appended to it; the {record.Kind} is not recorded", e);
            }
        }
    }

    public async Task<IReadOnlyList<UpdateRecord>> HistoryAsync(string project, string stack, CancellationToken cancellationToken = default)
    {
        var name = ObjectName(project, stack);
        var live = await ReadHistoryMapAsync(name, cancellationToken).ConfigureAwait(false);
        if (live is null) return [];
        var records = ParseHistory(live, name);
        records.Reverse();
        return records;
    }

    /// <summary>
    /// Copies the stack's Secret to <c>&lt;name&gt;-backup-&lt;yyyyMMddHHmmss&gt;</c> in the same namespace, annotated
    /// <c>llmctl.io/backup-of</c> (and without the stack annotation, so it is never listed as a stack).
    /// </summary>
    public async Task<string?> BackupAsync(string project, string stack, CancellationToken cancellationToken = default)
    {
        var name = ObjectName(project, stack);
        var live = await ReadSecretAsync(name, cancellationToken).ConfigureAwait(false);
        if (live is null) return null;
        var backupName = $"{name}-backup-{_options.Time.GetUtcNow():yyyyMMddHHmmss}";
        var copy = new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Type = "Opaque",
            Metadata = new V1ObjectMeta
            {
                Name = backupName,
                NamespaceProperty = _options.Namespace,
                Labels = new Dictionary<string, string> { [StateNames.ManagedByLabel] = StateNames.ManagedBy, [StateNames.ProjectLabel] = StateNames.LabelValue(project) },
                Annotations = new Dictionary<string, string> { ["llmctl.io/backup-of"] = $"{project}/{stack}" },
            },
            Data = live.Data,
        };
        try
        {
            await CallAsync(c => c.CoreV1.CreateNamespacedSecretAsync(copy, _options.Namespace, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict)
        {
            copy.Metadata.Name = backupName + "-" + Guid.NewGuid().ToString("N")[..6];
            await CallAsync(c => c.CoreV1.CreateNamespacedSecretAsync(copy, _options.Namespace, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        return $"Secret {_options.Namespace}/{copy.Metadata.Name}";
    }

    private async Task RemoveHistoryAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(c => c.CoreV1.DeleteNamespacedConfigMapAsync(name, _options.Namespace, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    private List<UpdateRecord> ParseHistory(V1ConfigMap map, string name)
    {
        var source = $"ConfigMap {_options.Namespace}/{name}";
        if (map.Data?.TryGetValue(HistoryKey, out var json) != true || string.IsNullOrWhiteSpace(json)) return [];
        try
        {
            return JsonNode.Parse(json) is JsonArray array
                ? array.Select(UpdateRecord.FromJson).ToList()
                : throw new FormatException($"'{HistoryKey}' is not a JSON array");
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            throw new CheckpointFormatException($"{source} does not hold an llmctl history: {ex.Message}", ex);
        }
    }

    private async Task<V1ConfigMap?> ReadHistoryMapAsync(string name, CancellationToken ct)
    {
        try
        {
            return await CallAsync(c => c.CoreV1.ReadNamespacedConfigMapAsync(name, _options.Namespace, cancellationToken: ct), ct).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
