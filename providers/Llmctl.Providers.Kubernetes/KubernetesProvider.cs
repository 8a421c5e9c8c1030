using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Providers;

namespace Llmctl.Providers.Kubernetes;

/// <summary>
/// The <c>kubernetes</c> provider. Every write is a server-side apply (field manager <c>llmctl</c>, strict field
/// validation, force only when asked); creates and updates then wait for the object to be ready by the rules in
/// <see cref="Readiness"/>; deletes wait until the object is gone. Ids are <c>namespace/name</c> or <c>name</c>.
/// Thread-safe: the planner diffs and the updater applies many resources at once.
/// </summary>
public sealed class KubernetesProvider : IProvider
{
    public const string Package = "kubernetes";
    private const string NodePatchType = "kubernetes:core/v1:NodePatch";

    private readonly KubernetesProviderOptions _options;
    private readonly ObjectApi _api;
    private readonly ResourceKinds _kinds = new();

    public KubernetesProvider(KubernetesProviderOptions? options = null)
    {
        _options = options ?? new KubernetesProviderOptions();
        if (_options.PollInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(options), "PollInterval must be positive");
        _api = new ObjectApi(new KubernetesConnection(_options), _options);
    }

    /// <summary>A provider whose kubeconfig is known only later (the k3s cluster's output).</summary>
    public static KubernetesProvider FromDeferredKubeconfig(Func<string?> kubeconfig, KubernetesProviderOptions? options = null) =>
        new((options ?? new KubernetesProviderOptions()) with { KubeconfigSource = kubeconfig });

    public KubernetesProviderOptions Options => _options;

    public Task<IReadOnlyList<CheckFailure>> CheckAsync(Urn urn, string type, JsonObject inputs, CancellationToken cancellationToken)
    {
        var failures = new List<CheckFailure>();
        if (!IsNodePatch(type))
        {
            if (inputs["apiVersion"] is null) failures.Add(new CheckFailure("apiVersion", "required: the object's apiVersion (apps/v1, v1, …)"));
            if (inputs["kind"] is null) failures.Add(new CheckFailure("kind", "required: the object's kind"));
        }
        if (inputs["metadata"]?["name"] is null) failures.Add(new CheckFailure("metadata.name", "required: llmctl never generates Kubernetes names"));
        return Task.FromResult<IReadOnlyList<CheckFailure>>(failures);
    }

    public async Task<DiffResult?> DiffAsync(Urn urn, string type, string? id, JsonObject oldInputs, JsonObject oldOutputs, JsonObject newInputs, CancellationToken cancellationToken)
    {
        var desired = Target.Of(type, newInputs, _kinds, _options.DefaultNamespace);
        if (desired.Kind.Kind == "CustomResourceDefinition") _kinds.Learn(newInputs);
        if (_options.LiveDiff && id is not null && !PropertyValues.ContainsUnknowns(newInputs))
        {
            return await Translate(desired, () => LiveDiffAsync(desired, newInputs, cancellationToken)).ConfigureAwait(false);
        }
        if (IsNodePatch(type)) return null;
        var old = Target.Of(type, oldInputs, _kinds, _options.DefaultNamespace);
        if (id is not null && id.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash && desired.Namespace is { } ns && ns != id[..slash])
        {
            // The object now lands elsewhere (its provider's namespace changed): a new object, and the old one goes.
            var moved = new PropertyDiff("metadata.namespace", DiffKind.UpdateReplace, InputDiff: false);
            return new DiffResult(["metadata"], ["metadata.namespace"], [.. InputDiff.Compute(oldInputs, newInputs), moved]);
        }
        return ImmutableFields.Check(old.Kind, InputDiff.Compute(oldInputs, newInputs));
    }

    public Task<ProviderResult> CreateAsync(Urn urn, string type, JsonObject inputs, TimeSpan timeout, CancellationToken cancellationToken) =>
        ApplyAndAwaitAsync(type, inputs, timeout, cancellationToken);

    public Task<ProviderResult> UpdateAsync(Urn urn, string type, string id, JsonObject oldInputs, JsonObject oldOutputs, JsonObject newInputs, TimeSpan timeout, CancellationToken cancellationToken) =>
        ApplyAndAwaitAsync(type, newInputs, timeout, cancellationToken);

    public async Task DeleteAsync(Urn urn, string type, string id, JsonObject inputs, JsonObject outputs, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var target = Target.Of(type, inputs, _kinds, _options.DefaultNamespace);
        await Translate(target, async () =>
        {
            if (IsNodePatch(type))
            {
                // Never delete a Node: apply an empty patch, which drops exactly the fields llmctl owned (its labels).
                if (await _api.GetAsync(target.Kind, null, target.Name, cancellationToken).ConfigureAwait(false) is null) return true;
                var empty = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = new JsonObject { ["name"] = target.Name } };
                await _api.ApplyAsync(target.Kind, null, target.Name, empty, force: false, dryRun: false, cancellationToken).ConfigureAwait(false);
                return true;
            }
            // Workloads go in the foreground, so their pods (and GPUs) are released before the delete is reported done.
            var policy = target.Kind.Kind is "Deployment" or "StatefulSet" or "DaemonSet" or "ReplicaSet" or "Job" ? "Foreground" : "Background";
            if (!await _api.DeleteAsync(target.Kind, target.Namespace, target.Name, policy, cancellationToken).ConfigureAwait(false)) return true;
            var clock = Stopwatch.StartNew();
            while (await _api.GetAsync(target.Kind, target.Namespace, target.Name, cancellationToken).ConfigureAwait(false) is not null)
            {
                if (clock.Elapsed >= timeout) throw new TimeoutException($"{target} still exists {Format(timeout)} after it was deleted (finalizers or dependents still pending)");
                OperationProgress.Report($"waiting for {target} to be deleted");
                await Task.Delay(Min(_options.PollInterval, timeout - clock.Elapsed), cancellationToken).ConfigureAwait(false);
            }
            return true;
        }).ConfigureAwait(false);
    }

    public async Task<ProviderResult?> ReadAsync(Urn urn, string type, string id, JsonObject inputs, JsonObject outputs, CancellationToken cancellationToken)
    {
        var target = Target.Of(type, inputs, _kinds, _options.DefaultNamespace);
        var live = await Translate(target, () => _api.GetAsync(target.Kind, target.Namespace, target.Name, cancellationToken)).ConfigureAwait(false);
        return live is null ? null : new ProviderResult(target.Id, Outputs(target, live, inputs));
    }

    private async Task<ProviderResult> ApplyAndAwaitAsync(string type, JsonObject inputs, TimeSpan timeout, CancellationToken ct)
    {
        var target = Target.Of(type, inputs, _kinds, _options.DefaultNamespace);
        if (target.Kind.Kind == "CustomResourceDefinition") _kinds.Learn(inputs);
        var body = Body(type, inputs, target);
        var applied = await Translate(target, async () =>
        {
            if (IsNodePatch(type) && await _api.GetAsync(target.Kind, null, target.Name, ct).ConfigureAwait(false) is null)
            {
                throw new ProviderException($"Node '{target.Name}' does not exist: join it to the cluster first (a NodePatch only labels a Node that is there)");
            }
            return await _api.ApplyAsync(target.Kind, target.Namespace, target.Name, body, Force(body), dryRun: false, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
        var result = new ProviderResult(target.Id, Outputs(target, applied, inputs));
        if (IsNodePatch(type) || AwaitAnnotations.IsTrue(body, AwaitAnnotations.SkipAwait)) return result;
        try
        {
            await Translate(target, async () =>
            {
                await AwaitReadyAsync(target, AwaitAnnotations.Timeout(body, timeout), ct).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The server accepted the object: whatever went wrong while waiting, the engine must record it.
            throw new PartialApplyException(result, e);
        }
        return result;
    }

    private async Task AwaitReadyAsync(Target target, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        string? reported = null;
        while (true)
        {
            var live = await _api.GetAsync(target.Kind, target.Namespace, target.Name, ct).ConfigureAwait(false);
            var verdict = live is null
                ? Verdict.Wait("not found after apply")
                : await Readiness.CheckAsync(target.Kind, live, FetchAsync, ct, (ns, job, token) => _api.JobLogTailAsync(ns, job, 30, token)).ConfigureAwait(false);
            if (verdict.Ready) return;
            if (verdict.Failure is { } failure) throw new ProviderException($"{target}: {failure}");
            if (verdict.Waiting != reported)
            {
                reported = verdict.Waiting;
                OperationProgress.Report($"{target}: {reported}");
            }
            if (clock.Elapsed >= timeout)
            {
                throw new TimeoutException($"{target} was not ready after {Format(timeout)}: {verdict.Waiting} "
                    + $"(raise it with the annotation {AwaitAnnotations.TimeoutSeconds}, or customTimeouts)");
            }
            await Task.Delay(Min(_options.PollInterval, timeout - clock.Elapsed), ct).ConfigureAwait(false);
        }
    }

    private Task<JsonObject?> FetchAsync(string apiVersion, string kind, string? ns, string name, CancellationToken ct) =>
        _api.GetAsync(_kinds.Resolve(apiVersion, kind), ns, name, ct);

    private async Task<DiffResult> LiveDiffAsync(Target target, JsonObject newInputs, CancellationToken ct)
    {
        var body = Body(target.Type, newInputs, target);
        var live = await _api.GetAsync(target.Kind, target.Namespace, target.Name, ct).ConfigureAwait(false);
        if (live is null)
        {
            // Gone from the cluster: the apply will create it again.
            return new DiffResult(["metadata"], [], [new PropertyDiff("metadata", DiffKind.Add, InputDiff: false)]);
        }
        JsonObject dry;
        try
        {
            dry = await _api.ApplyAsync(target.Kind, target.Namespace, target.Name, body, Force(body), dryRun: true, ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsConflict)
        {
            // Someone else took fields llmctl sets: show what a forced apply would change; the up reports the conflict.
            dry = await _api.ApplyAsync(target.Kind, target.Namespace, target.Name, body, force: true, dryRun: true, ct).ConfigureAwait(false);
        }
        var diffs = InputDiff.Compute(Comparable(live), Comparable(dry)).Select(d => d with { InputDiff = false }).ToList();
        if (IsNodePatch(target.Type)) return new DiffResult(diffs.Select(d => InputDiff.TopLevelKey(d.Path)).Distinct().ToList(), [], diffs);
        return ImmutableFields.Check(target.Kind, diffs)
            ?? new DiffResult(diffs.Select(d => InputDiff.TopLevelKey(d.Path)).Distinct().ToList(), [], diffs);
    }

    /// <summary>What a dry-run and the live object are compared on: no bookkeeping the apply itself changes.</summary>
    private static JsonObject Comparable(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy.Remove("status");
        if (copy["metadata"] is JsonObject meta)
        {
            foreach (var key in new[] { "managedFields", "resourceVersion", "generation" }) meta.Remove(key);
        }
        return copy;
    }

    private JsonObject Body(string type, JsonObject inputs, Target target)
    {
        var revealed = (JsonObject)PropertyValues.Reveal(inputs)!;
        if (!IsNodePatch(type)) return revealed;
        var metadata = new JsonObject { ["name"] = target.Name };
        foreach (var key in new[] { "labels", "annotations" })
        {
            if (revealed["metadata"]?[key] is JsonObject values) metadata[key] = values.DeepClone();
        }
        var body = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = metadata };
        if (revealed["spec"]?["taints"] is JsonArray taints) body["spec"] = new JsonObject { ["taints"] = taints.DeepClone() };
        return body;
    }

    private bool Force(JsonObject body) => _options.ForcePatch || AwaitAnnotations.IsTrue(body, AwaitAnnotations.PatchForce);

    /// <summary>
    /// The object as the server returned it, less managedFields. A top-level key that held a secret going in stays
    /// secret coming out, and a Secret's data always does.
    /// </summary>
    private static JsonObject Outputs(Target target, JsonObject live, JsonObject inputs)
    {
        var outputs = (JsonObject)live.DeepClone();
        (outputs["metadata"] as JsonObject)?.Remove("managedFields");
        foreach (var key in outputs.Select(kv => kv.Key).ToList())
        {
            var secretIn = inputs.TryGetPropertyValue(key, out var input) && PropertyValues.ContainsSecrets(input);
            var secretKind = target.Kind is { Group: "", Kind: "Secret" } && key is "data" or "stringData";
            if (secretIn || secretKind) outputs[key] = PropertyValues.Secret(outputs[key]);
        }
        return outputs;
    }

    /// <summary>Turns what the API said into what the engine understands: ProviderException or TimeoutException.</summary>
    private static async Task<T> Translate<T>(Target target, Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsConflict)
        {
            throw new ProviderException(ConflictMessage(target, e), e);
        }
        catch (KubernetesApiException e)
        {
            var hint = e.StatusCode == HttpStatusCode.NotFound
                ? " (does its Namespace exist, and is the CRD that defines this kind installed?)"
                : (int)e.StatusCode >= 500 ? " (the API server kept failing; retried)" : "";
            throw new ProviderException($"{target}: the API server answered {(int)e.StatusCode} {e.Reason}: {e.Message}{hint}", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new ProviderException($"{target}: cannot reach the Kubernetes API server (retried): {e.Message}", e);
        }
        catch (OperationCanceledException e) when (e.InnerException is TimeoutException)
        {
            throw new ProviderException($"{target}: requests to the Kubernetes API server kept timing out (retried)", e);
        }
    }

    private static string ConflictMessage(Target target, KubernetesApiException e)
    {
        var conflicts = e.Conflicts;
        var managers = conflicts.Select(c => c.Manager).Distinct().ToList();
        var fields = conflicts.Select(c => $"{c.Field} (owned by \"{c.Manager}\")");
        return $"{target}: server-side apply conflict: field manager{(managers.Count == 1 ? "" : "s")} "
            + $"{string.Join(", ", managers.Select(m => $"\"{m}\""))} own{(managers.Count == 1 ? "s" : "")} {string.Join(", ", fields)}, "
            + $"which llmctl would change. To take them over, set the annotation {AwaitAnnotations.PatchForce}: \"true\" on the object "
            + "(or kubernetes:enablePatchForce in the stack config); otherwise stop the other manager from setting them.";
    }

    private static bool IsNodePatch(string type) => type == NodePatchType;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? (a < TimeSpan.Zero ? TimeSpan.Zero : a) : (b < TimeSpan.Zero ? TimeSpan.Zero : b);

    private static string Format(TimeSpan t) => t.TotalMinutes >= 1 && t.Seconds == 0 ? $"{t.TotalMinutes:0}m" : $"{t.TotalSeconds:0.###}s";

    /// <summary>The object a resource stands for: its kind's place in the API, namespace and name.</summary>
    private sealed record Target(string Type, KindInfo Kind, string? Namespace, string Name)
    {
        public string Id => Namespace is null ? Name : $"{Namespace}/{Name}";

        public static Target Of(string type, JsonObject inputs, ResourceKinds kinds, string? defaultNamespace)
        {
            var name = Text(inputs["metadata"]?["name"]) ?? throw new ProviderException($"{type}: metadata.name is required");
            KindInfo kind;
            if (IsNodePatch(type)) kind = kinds.Resolve("v1", "Node");
            else
            {
                var apiVersion = Text(inputs["apiVersion"]) ?? throw new ProviderException($"{type} '{name}': apiVersion is required");
                kind = kinds.Resolve(apiVersion, Text(inputs["kind"]) ?? throw new ProviderException($"{type} '{name}': kind is required"));
            }
            // Precedence as Pulumi's: the object's own namespace, then the provider's, then "default".
            var ns = kind.Namespaced ? Text(inputs["metadata"]?["namespace"]) ?? defaultNamespace ?? "default" : null;
            return new Target(type, kind, ns, name);
        }

        private static string? Text(JsonNode? node) =>
            PropertyValues.Unwrap(node) is JsonValue v && v.TryGetValue<string>(out var s) && s != PropertyValues.UnknownString ? s : null;

        public override string ToString() => $"{Kind.Kind} '{Id}'";
    }
}
