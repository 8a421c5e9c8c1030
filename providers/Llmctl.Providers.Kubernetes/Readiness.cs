using System.Text.Json.Nodes;

namespace Llmctl.Providers.Kubernetes;

/// <summary>Where an object stands: ready, still waiting (and for what), or failed for good.</summary>
internal readonly record struct Verdict(bool Ready, string? Waiting, string? Failure)
{
    public static readonly Verdict Done = new(true, null, null);
    public static Verdict Wait(string why) => new(false, why, null);
    public static Verdict Fail(string why) => new(false, null, why);
}

/// <summary>
/// The await rules (after Pulumi's, reference §6.3), per kind, on the live object. Kinds without a rule are ready
/// once they exist. <paramref name="fetch"/> reads related objects (a HelmChart's install Job, a Service's Endpoints).
/// </summary>
internal static class Readiness
{
    public delegate Task<JsonObject?> Fetch(string apiVersion, string kind, string? ns, string name, CancellationToken ct);

    /// <summary>The tail of the log of a Job's newest Pod, or null.</summary>
    public delegate Task<string?> JobLog(string ns, string job, CancellationToken ct);

    public static async Task<Verdict> CheckAsync(KindInfo kind, JsonObject live, Fetch fetch, CancellationToken ct, JobLog? jobLog = null)
    {
        var status = live["status"] as JsonObject;
        switch (kind.Group, kind.Kind)
        {
            case ("apps", "Deployment"):
                return Deployment(live, status);
            case ("apps", "StatefulSet"):
                return StatefulSet(live, status);
            case ("apps", "DaemonSet"):
                return DaemonSet(live, status);
            case ("batch", "Job"):
                return Job(status, live["metadata"]?["name"]?.GetValue<string>() ?? "job");
            case ("apiextensions.k8s.io", "CustomResourceDefinition"):
                return Condition(status, "Established") == "True" ? Verdict.Done : Verdict.Wait("CRD not yet Established");
            case ("", "Service"):
                return await ServiceAsync(live, fetch, ct).ConfigureAwait(false);
            case ("helm.cattle.io", "HelmChart"):
                return await HelmChartAsync(live, fetch, jobLog, ct).ConfigureAwait(false);
            default:
                return Verdict.Done;
        }
    }

    private static Verdict Deployment(JsonObject live, JsonObject? status)
    {
        var replicas = Int(live["spec"]?["replicas"]) ?? 1;
        // A parked lane (0 replicas) has nothing to wait for.
        if (replicas == 0) return Verdict.Done;
        var generation = Long(live["metadata"]?["generation"]) ?? 0;
        var observed = Long(status?["observedGeneration"]) ?? 0;
        if (observed < generation) return Verdict.Wait($"rollout of generation {generation} not yet observed (observed {observed})");
        var updated = Int(status?["updatedReplicas"]) ?? 0;
        var available = Int(status?["availableReplicas"]) ?? 0;
        if (updated < replicas) return Verdict.Wait($"{updated}/{replicas} replicas updated, {available}/{replicas} available");
        if (available < replicas) return Verdict.Wait($"{available}/{replicas} replicas available");
        if (Condition(status, "Available") != "True") return Verdict.Wait("condition Available is not True");
        return Verdict.Done;
    }

    private static Verdict StatefulSet(JsonObject live, JsonObject? status)
    {
        var replicas = Int(live["spec"]?["replicas"]) ?? 1;
        if (replicas == 0) return Verdict.Done;
        var generation = Long(live["metadata"]?["generation"]) ?? 0;
        if ((Long(status?["observedGeneration"]) ?? 0) < generation) return Verdict.Wait($"generation {generation} not yet observed");
        var ready = Int(status?["readyReplicas"]) ?? 0;
        if (ready < replicas) return Verdict.Wait($"{ready}/{replicas} replicas ready");
        if ((Int(status?["updatedReplicas"]) ?? replicas) < replicas) return Verdict.Wait($"{Int(status?["updatedReplicas"])}/{replicas} replicas updated");
        var current = status?["currentRevision"]?.GetValue<string>();
        var update = status?["updateRevision"]?.GetValue<string>();
        if (update is not null && current != update) return Verdict.Wait($"revision {update} not yet current");
        return Verdict.Done;
    }

    private static Verdict DaemonSet(JsonObject live, JsonObject? status)
    {
        var generation = Long(live["metadata"]?["generation"]) ?? 0;
        if (status is null || (Long(status["observedGeneration"]) ?? 0) < generation) return Verdict.Wait($"generation {generation} not yet observed");
        var desired = Int(status["desiredNumberScheduled"]) ?? 0;
        var ready = Int(status["numberReady"]) ?? 0;
        var updated = Int(status["updatedNumberScheduled"]) ?? 0;
        return ready == desired && updated == desired ? Verdict.Done : Verdict.Wait($"{ready}/{desired} pods ready, {updated}/{desired} updated");
    }

    private static Verdict Job(JsonObject? status, string name)
    {
        if (Condition(status, "Failed") == "True")
        {
            var message = ConditionMessage(status, "Failed");
            return Verdict.Fail($"Job '{name}' failed: {(string.IsNullOrEmpty(message) ? ConditionReason(status, "Failed") : message)}");
        }
        return Condition(status, "Complete") == "True" ? Verdict.Done : Verdict.Wait($"Job '{name}' not yet complete");
    }

    private static async Task<Verdict> ServiceAsync(JsonObject live, Fetch fetch, CancellationToken ct)
    {
        var selector = live["spec"]?["selector"] as JsonObject;
        var wanted = string.Equals(AwaitAnnotations.Get(live, AwaitAnnotations.WaitForEndpoints), "true", StringComparison.OrdinalIgnoreCase);
        if (!wanted || selector is null || selector.Count == 0) return Verdict.Done;
        var ns = live["metadata"]?["namespace"]?.GetValue<string>();
        var name = live["metadata"]!["name"]!.GetValue<string>();
        var endpoints = await fetch("v1", "Endpoints", ns, name, ct).ConfigureAwait(false);
        var ready = (endpoints?["subsets"] as JsonArray ?? []).Sum(s => (s?["addresses"] as JsonArray)?.Count ?? 0);
        return ready > 0 ? Verdict.Done : Verdict.Wait("no ready endpoints yet");
    }

    /// <summary>k3s's helm-controller runs <c>helm-install-&lt;name&gt;</c> in the HelmChart's namespace; the chart is in when it completes.</summary>
    private static async Task<Verdict> HelmChartAsync(JsonObject live, Fetch fetch, JobLog? jobLog, CancellationToken ct)
    {
        var ns = live["metadata"]?["namespace"]?.GetValue<string>();
        var job = $"helm-install-{live["metadata"]!["name"]!.GetValue<string>()}";
        var found = await fetch("batch/v1", "Job", ns, job, ct).ConfigureAwait(false);
        if (found is null) return Verdict.Wait($"waiting for Job '{job}'");
        var verdict = Job(found["status"] as JsonObject, job);
        if (verdict.Failure is not { } failure) return verdict;
        // What helm printed is what tells the operator why (a bad value, a missing CRD, an unreachable repo).
        var log = jobLog is null || ns is null ? null : await jobLog(ns, job, ct).ConfigureAwait(false);
        return Verdict.Fail($"helm install failed: {failure}" + (log is null ? "" : $"\nlast lines of the {job} log:\n{log}"));
    }

    private static JsonObject? ConditionOf(JsonObject? status, string type) =>
        (status?["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == type);

    private static string? Condition(JsonObject? status, string type) => ConditionOf(status, type)?["status"]?.GetValue<string>();

    private static string? ConditionMessage(JsonObject? status, string type) => ConditionOf(status, type)?["message"]?.GetValue<string>();

    private static string? ConditionReason(JsonObject? status, string type) => ConditionOf(status, type)?["reason"]?.GetValue<string>();

    private static int? Int(JsonNode? node) => node is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;

    private static long? Long(JsonNode? node) => node is JsonValue v && v.TryGetValue<long>(out var i) ? i : null;
}
