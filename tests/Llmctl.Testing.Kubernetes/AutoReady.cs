using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Llmctl.Testing.Kubernetes;

/// <summary>
/// Emulates the controllers that make objects ready: after a configurable delay from a spec change, a Deployment,
/// StatefulSet or DaemonSet reports its replicas available for the generation just written, a Job completes, a CRD
/// is Established, and a k3s HelmChart gets its <c>helm-install-&lt;name&gt;</c> Job (which then follows the Job rule).
/// Kinds without a rule configured stay as written. When a helm-install Job completes, <see cref="HelmInstalled"/> is told
/// which HelmChart it installed (the fake's stand-in for what the chart creates: its namespace, its CRDs).
/// </summary>
internal sealed class AutoReady(ObjectStore store)
{
    private readonly ConcurrentDictionary<string, TimeSpan> _delays = new(StringComparer.Ordinal);

    public void Enable(string kind, TimeSpan after) => _delays[kind] = after;

    /// <summary>Called under the store lock with the HelmChart whose helm-install Job just completed.</summary>
    public Action<StoredObject>? HelmInstalled { get; set; }

    public void Disable(string kind) => _delays.TryRemove(kind, out _);

    /// <summary>Called under the store lock after each write.</summary>
    public void OnWritten(StoredObject obj)
    {
        if (!_delays.TryGetValue(obj.Type.Kind, out var delay)) return;
        if (obj.Object["metadata"]?["deletionTimestamp"] is not null) return;
        var generation = obj.Generation;
        var observed = Json.Long(obj.Object["status"]?["observedGeneration"]);
        if (obj.Type.Kind == "HelmChart")
        {
            if (observed == generation) return;
            _ = Later(delay, () => store.SetStatus(obj, s => s["observedGeneration"] = generation) ? StartHelmJob(obj) : false);
            return;
        }
        if (IsDone(obj, generation)) return;
        if (delay <= TimeSpan.Zero) MakeReady(obj, generation);
        else _ = Later(delay, () =>
        {
            lock (store.Gate)
            {
                var live = store.Find(obj.Type, obj.Namespace, obj.Name);
                if (live is not null && live.Generation == generation) MakeReady(live, generation);
            }
            return true;
        });
    }

    private static async Task Later(TimeSpan delay, Func<bool> action)
    {
        await Task.Delay(delay).ConfigureAwait(false);
        action();
    }

    private static bool IsDone(StoredObject obj, long generation) => obj.Type.Kind switch
    {
        "Job" or "CustomResourceDefinition" => obj.Object["status"]?["conditions"] is JsonArray { Count: > 0 },
        _ => Json.Long(obj.Object["status"]?["observedGeneration"]) == generation,
    };

    private void MakeReady(StoredObject obj, long generation)
    {
        var replicas = (int)(Json.Long(obj.Object["spec"]?["replicas"]) ?? 1);
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        store.SetStatus(obj, status =>
        {
            switch (obj.Type.Kind)
            {
                case "Deployment":
                    status["observedGeneration"] = generation;
                    status["replicas"] = replicas;
                    status["updatedReplicas"] = replicas;
                    status["readyReplicas"] = replicas;
                    status["availableReplicas"] = replicas;
                    status["conditions"] = new JsonArray(
                        Condition("Available", "True", "MinimumReplicasAvailable", now),
                        Condition("Progressing", "True", "NewReplicaSetAvailable", now));
                    break;
                case "StatefulSet":
                    status["observedGeneration"] = generation;
                    status["replicas"] = replicas;
                    status["readyReplicas"] = replicas;
                    status["currentReplicas"] = replicas;
                    status["updatedReplicas"] = replicas;
                    status["currentRevision"] = $"{obj.Name}-{generation}";
                    status["updateRevision"] = $"{obj.Name}-{generation}";
                    break;
                case "DaemonSet":
                    status["observedGeneration"] = generation;
                    status["desiredNumberScheduled"] = 1;
                    status["currentNumberScheduled"] = 1;
                    status["numberReady"] = 1;
                    status["updatedNumberScheduled"] = 1;
                    status["numberAvailable"] = 1;
                    break;
                case "Job":
                    status["startTime"] = now;
                    status["completionTime"] = now;
                    status["succeeded"] = 1;
                    status["conditions"] = new JsonArray(Condition("Complete", "True", "Completed", now));
                    break;
                case "CustomResourceDefinition":
                    status["acceptedNames"] = obj.Object["spec"]?["names"]?.DeepClone();
                    status["conditions"] = new JsonArray(
                        Condition("NamesAccepted", "True", "NoConflicts", now),
                        Condition("Established", "True", "InitialNamesAccepted", now));
                    break;
                default:
                    status["observedGeneration"] = generation;
                    break;
            }
        });
        if (obj.Type.Kind == "Job" && obj.Name.StartsWith(HelmJobPrefix, StringComparison.Ordinal)
            && store.All().FirstOrDefault(o => o.Type.Kind == "HelmChart" && o.Namespace == obj.Namespace && o.Name == obj.Name[HelmJobPrefix.Length..]) is { } chart)
        {
            HelmInstalled?.Invoke(chart);
        }
    }

    private const string HelmJobPrefix = "helm-install-";

    private bool StartHelmJob(StoredObject chart)
    {
        var jobType = BuiltinResources.All.Single(r => r.Kind == "Job");
        var name = HelmJobPrefix + chart.Name;
        lock (store.Gate)
        {
            if (store.Find(jobType, chart.Namespace, name) is not null) store.Delete(jobType, chart.Namespace, name, dryRun: false);
            store.Create(jobType, "batch/v1", chart.Namespace, new JsonObject
            {
                ["apiVersion"] = "batch/v1",
                ["kind"] = "Job",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = chart.Namespace },
                ["spec"] = new JsonObject
                {
                    ["backoffLimit"] = 1000,
                    ["template"] = new JsonObject
                    {
                        ["spec"] = new JsonObject
                        {
                            ["restartPolicy"] = "OnFailure",
                            ["containers"] = new JsonArray(new JsonObject { ["name"] = "helm", ["image"] = "rancher/klipper-helm" }),
                        },
                    },
                },
            }, "helm-controller", dryRun: false);
        }
        return true;
    }

    public static JsonObject Condition(string type, string status, string reason, string time, string? message = null) => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["reason"] = reason,
        ["message"] = message ?? "",
        ["lastTransitionTime"] = time,
    };
}
