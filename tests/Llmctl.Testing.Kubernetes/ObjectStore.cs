using System.Text.Json.Nodes;

namespace Llmctl.Testing.Kubernetes;

/// <summary>
/// The fake's storage and write semantics: server-side apply with per-manager field ownership and conflicts,
/// create, replace, delete (at once or after a delay), resourceVersion, generation, uid and creationTimestamp.
/// One lock guards everything; the fake favours being obviously right over being fast.
/// </summary>
internal sealed class ObjectStore
{
    private readonly Dictionary<string, StoredObject> _objects = new(StringComparer.Ordinal);
    private long _resourceVersion = 1000;
    private int _nextIp = 10;

    public object Gate { get; } = new();

    /// <summary>Called under the lock after every stored write (create, apply, replace, status change).</summary>
    public Action<StoredObject>? Written { get; set; }

    /// <summary>Called under the lock when a delete was accepted; returns the delay before the object is gone.</summary>
    public Func<StoredObject, TimeSpan>? DeletionDelay { get; set; }

    private static string Key(ApiResource type, string? ns, string name) => $"{type.Key}/{ns}/{name}";

    public ApiResource? Resolve(string group, string plural)
    {
        var builtin = BuiltinResources.All.FirstOrDefault(r => r.Group == group && r.Plural == plural);
        if (builtin is not null) return builtin;
        lock (Gate)
        {
            foreach (var crd in _objects.Values.Where(o => o.Type.Kind == "CustomResourceDefinition"))
            {
                var spec = crd.Object["spec"];
                if (spec?["group"]?.GetValue<string>() == group && spec["names"]?["plural"]?.GetValue<string>() == plural)
                {
                    return new ApiResource(group, spec["names"]?["kind"]?.GetValue<string>() ?? plural,
                        plural, spec["scope"]?.GetValue<string>() != "Cluster");
                }
            }
        }
        return null;
    }

    public StoredObject? Find(ApiResource type, string? ns, string name)
    {
        lock (Gate) return _objects.GetValueOrDefault(Key(type, ns, name));
    }

    public IReadOnlyList<StoredObject> All()
    {
        lock (Gate) return _objects.Values.ToList();
    }

    public JsonObject Get(ApiResource type, string? ns, string name)
    {
        lock (Gate) return (Find(type, ns, name) ?? throw ApiError.NotFound(type, name)).Render();
    }

    public JsonObject List(ApiResource type, string apiVersion, string? ns, LabelSelector? selector = null)
    {
        lock (Gate)
        {
            var items = _objects.Values.Where(o => o.Type == type && (ns is null || o.Namespace == ns) && (selector is null || selector.Matches(o.Object)))
                .OrderBy(o => o.Namespace).ThenBy(o => o.Name).Select(o => (JsonNode)o.Render()).ToArray();
            return new JsonObject
            {
                ["kind"] = type.Kind + "List",
                ["apiVersion"] = apiVersion,
                ["metadata"] = new JsonObject { ["resourceVersion"] = _resourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                ["items"] = new JsonArray(items),
            };
        }
    }

    /// <summary>Server-side apply (<c>application/apply-patch+yaml</c>).</summary>
    public JsonObject Apply(ApiResource type, string apiVersion, string? ns, string name, JsonObject body, string manager, bool force, bool dryRun)
    {
        CheckIdentity(type, apiVersion, ns, name, body);
        var applied = (JsonObject)body.DeepClone();
        applied.Remove("status");
        var appliedOrder = FieldPaths.Owned(applied, IsBuiltin(type));
        var appliedFields = new HashSet<string>(appliedOrder, StringComparer.Ordinal);
        lock (Gate)
        {
            var live = Find(type, ns, name);
            if (live is null)
            {
                RequireNamespace(type, ns);
                var created = New(type, ns, name, applied);
                created.Managers[manager] = new ManagerEntry(appliedFields, "Apply", apiVersion, DateTimeOffset.UtcNow);
                return Commit(created, previous: null, dryRun);
            }

            var conflicts = new List<(string, IReadOnlyList<string>)>();
            foreach (var field in appliedFields.Order(StringComparer.Ordinal))
            {
                var others = live.Managers.Where(m => m.Key != manager && m.Value.Fields.Contains(field)).Select(m => m.Key).ToList();
                // A list item is compared by its presence; its fields are compared one by one.
                var same = FieldPaths.IsItem(field)
                    ? FieldPaths.Has(live.Object, field)
                    : JsonNode.DeepEquals(FieldPaths.Get(live.Object, field), FieldPaths.Get(applied, field));
                if (others.Count > 0 && !same)
                {
                    conflicts.Add((field, others));
                }
            }
            if (conflicts.Count > 0 && !force) throw ApiError.Conflict(type, name, conflicts);

            var next = Clone(live);
            foreach (var (field, _) in conflicts)
            {
                foreach (var entry in next.Managers.Values) entry.Fields.Remove(field);
            }
            var previous = next.Managers.GetValueOrDefault(manager)?.Fields ?? [];
            foreach (var field in previous.Where(f => !appliedFields.Contains(f)).OrderByDescending(f => f.Length))
            {
                // A field this manager stopped applying goes, unless someone else still owns it (or, for a list
                // item, anything in it).
                var kept = next.Managers.Any(m => m.Key != manager && m.Value.Fields.Any(f => f == field || (FieldPaths.IsItem(field) && FieldPaths.IsUnder(f, field))));
                if (!kept) FieldPaths.Remove(next.Object, field);
            }
            foreach (var field in appliedOrder) FieldPaths.Set(next.Object, field, FieldPaths.Get(applied, field));
            next.Managers[manager] = new ManagerEntry(appliedFields, "Apply", apiVersion, DateTimeOffset.UtcNow);
            return Commit(next, live, dryRun);
        }
    }

    /// <summary>POST: create, failing if the object exists.</summary>
    public JsonObject Create(ApiResource type, string apiVersion, string? ns, JsonObject body, string manager, bool dryRun)
    {
        var name = body["metadata"]?["name"]?.GetValue<string>() ?? throw new ApiError(422, "Invalid", "metadata.name: Required value");
        CheckIdentity(type, apiVersion, ns, name, body);
        lock (Gate)
        {
            if (Find(type, ns, name) is not null) throw ApiError.AlreadyExists(type, name);
            RequireNamespace(type, ns);
            var created = New(type, ns, name, (JsonObject)body.DeepClone());
            created.Managers[manager] = new ManagerEntry(FieldPaths.Leaves(created.Object, IsBuiltin(type)), "Update", apiVersion, DateTimeOffset.UtcNow);
            return Commit(created, null, dryRun);
        }
    }

    /// <summary>
    /// PUT: replace the whole object; the writer takes the fields it changed (an Update operation). A
    /// <c>metadata.resourceVersion</c> in the body is a precondition: when the object has changed since, the answer
    /// is 409 Conflict and nothing is written (optimistic concurrency, as on a real server).
    /// </summary>
    public JsonObject Replace(ApiResource type, string apiVersion, string? ns, string name, JsonObject body, string manager, bool dryRun) =>
        Mutate(type, ns, name, manager, apiVersion, obj =>
        {
            if (body["metadata"]?["resourceVersion"]?.GetValue<string>() is { Length: > 0 } expected
                && obj["metadata"]?["resourceVersion"]?.GetValue<string>() is { } actual && expected != actual)
            {
                throw ApiError.Modified(type, name);
            }
            var status = obj["status"]?.DeepClone();
            var metadata = (JsonObject)obj["metadata"]!.DeepClone();
            foreach (var key in obj.Select(kv => kv.Key).ToList()) obj.Remove(key);
            foreach (var (key, value) in body) obj[key] = value?.DeepClone();
            var newMeta = obj["metadata"] as JsonObject ?? new JsonObject();
            foreach (var keep in new[] { "uid", "creationTimestamp", "generation", "resourceVersion", "namespace", "name" })
            {
                newMeta[keep] = metadata[keep]?.DeepClone();
            }
            obj["metadata"] = newMeta;
            if (status is not null) obj["status"] = status;
        }, dryRun);

    /// <summary>
    /// Changes an object as <paramref name="manager"/> would with an Update operation: fields whose value changed
    /// move to that manager. The test controls use it to emulate controllers and people with kubectl.
    /// </summary>
    public JsonObject Mutate(ApiResource type, string? ns, string name, string manager, string apiVersion, Action<JsonObject> change, bool dryRun = false)
    {
        lock (Gate)
        {
            var live = Find(type, ns, name) ?? throw ApiError.NotFound(type, name);
            var next = Clone(live);
            change(next.Object);
            var changed = FieldPaths.Leaves(next.Object, IsBuiltin(type))
                .Where(f => !f.StartsWith("f:status", StringComparison.Ordinal))
                .Where(f => !FieldPaths.Has(live.Object, f)
                    || (!FieldPaths.IsItem(f) && !JsonNode.DeepEquals(FieldPaths.Get(live.Object, f), FieldPaths.Get(next.Object, f))))
                .ToHashSet(StringComparer.Ordinal);
            foreach (var entry in next.Managers.Values) entry.Fields.ExceptWith(changed);
            if (changed.Count > 0)
            {
                var mine = next.Managers.GetValueOrDefault(manager)?.Fields ?? [];
                mine.UnionWith(changed);
                next.Managers[manager] = new ManagerEntry(mine, "Update", apiVersion, DateTimeOffset.UtcNow);
            }
            return Commit(next, live, dryRun);
        }
    }

    /// <summary>Sets status without touching ownership (the status subresource, written by a controller).</summary>
    public bool SetStatus(StoredObject target, Action<JsonObject> change)
    {
        lock (Gate)
        {
            if (!_objects.TryGetValue(Key(target.Type, target.Namespace, target.Name), out var live)) return false;
            var status = live.Object["status"] as JsonObject ?? new JsonObject();
            change(status);
            live.Object["status"] = status;
            Stamp(live);
            Written?.Invoke(live);
            return true;
        }
    }

    /// <summary>
    /// DELETE. <paramref name="preconditions"/> (<c>DeleteOptions.preconditions</c>: <c>resourceVersion</c>,
    /// <c>uid</c>) must match the live object, else 409 Conflict and nothing is deleted.
    /// </summary>
    public JsonObject Delete(ApiResource type, string? ns, string name, bool dryRun, JsonObject? preconditions = null)
    {
        lock (Gate)
        {
            var live = Find(type, ns, name) ?? throw ApiError.NotFound(type, name);
            foreach (var field in new[] { "resourceVersion", "uid" })
            {
                if (preconditions?[field]?.GetValue<string>() is { Length: > 0 } expected
                    && live.Object["metadata"]?[field]?.GetValue<string>() is var actual && expected != actual)
                {
                    var shown = field == "uid" ? "UID" : "ResourceVersion";
                    throw new ApiError(409, "Conflict",
                        $"Precondition failed: {shown} in precondition: {expected}, {shown} in object meta: {actual}",
                        new JsonObject { ["name"] = name, ["group"] = type.Group, ["kind"] = type.Plural });
                }
            }
            var rendered = live.Render();
            if (dryRun) return rendered;
            var delay = DeletionDelay?.Invoke(live) ?? TimeSpan.Zero;
            if (delay <= TimeSpan.Zero)
            {
                Remove(live);
                return rendered;
            }
            if (live.Object["metadata"]!["deletionTimestamp"] is null)
            {
                live.Object["metadata"]!["deletionTimestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
                Stamp(live);
                _ = RemoveLaterAsync(live, delay);
            }
            return live.Render();
        }
    }

    private async Task RemoveLaterAsync(StoredObject target, TimeSpan delay)
    {
        await Task.Delay(delay).ConfigureAwait(false);
        lock (Gate)
        {
            if (_objects.TryGetValue(Key(target.Type, target.Namespace, target.Name), out var live) && ReferenceEquals(live.Object, target.Object)) Remove(live);
        }
    }

    /// <summary>Removes an object at once; a Namespace takes everything in it along (the namespace controller's job).</summary>
    private void Remove(StoredObject target)
    {
        _objects.Remove(Key(target.Type, target.Namespace, target.Name));
        if (target.Type.Kind == "Namespace" && target.Type.Group.Length == 0)
        {
            foreach (var child in _objects.Values.Where(o => o.Namespace == target.Name).ToList()) _objects.Remove(Key(child.Type, child.Namespace, child.Name));
        }
        _resourceVersion++;
    }

    /// <summary>Stores an object directly (test setup: Nodes, pre-existing objects).</summary>
    public void Seed(ApiResource type, JsonObject obj)
    {
        var name = obj["metadata"]!["name"]!.GetValue<string>();
        var ns = type.Namespaced ? obj["metadata"]?["namespace"]?.GetValue<string>() ?? "default" : null;
        lock (Gate) Commit(New(type, ns, name, (JsonObject)obj.DeepClone()), null, dryRun: false);
    }

    private static void CheckIdentity(ApiResource type, string apiVersion, string? ns, string name, JsonObject body)
    {
        if (body["kind"]?.GetValue<string>() is { } kind && kind != type.Kind)
        {
            throw new ApiError(400, "BadRequest", $"the kind in the body ({kind}) does not match the URL ({type.Kind})");
        }
        if (body["apiVersion"]?.GetValue<string>() is { } v && v != apiVersion)
        {
            throw new ApiError(400, "BadRequest", $"the apiVersion in the body ({v}) does not match the URL ({apiVersion})");
        }
        if (body["metadata"]?["name"]?.GetValue<string>() is { } n && n != name)
        {
            throw new ApiError(400, "BadRequest", $"the name of the object ({n}) does not match the name on the URL ({name})");
        }
        if (ns is not null && body["metadata"]?["namespace"]?.GetValue<string>() is { } bodyNs && bodyNs != ns)
        {
            throw new ApiError(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
        }
    }

    private void RequireNamespace(ApiResource type, string? ns)
    {
        if (!type.Namespaced || ns is null) return;
        var nsType = BuiltinResources.All[0];
        var found = Find(nsType, null, ns);
        if (found is null) throw new ApiError(404, "NotFound", $"namespaces \"{ns}\" not found", new JsonObject { ["name"] = ns, ["kind"] = "namespaces" });
        if (found.Object["metadata"]?["deletionTimestamp"] is not null)
        {
            throw new ApiError(403, "Forbidden", $"unable to create new content in namespace {ns} because it is being terminated");
        }
    }

    private StoredObject New(ApiResource type, string? ns, string name, JsonObject obj)
    {
        obj.Remove("status");
        var metadata = obj["metadata"] as JsonObject ?? new JsonObject();
        obj["metadata"] = metadata;
        metadata["name"] = name;
        if (type.Namespaced) metadata["namespace"] = ns;
        else metadata.Remove("namespace");
        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        if (HasGeneration(type, obj)) metadata["generation"] = 1;
        else metadata.Remove("generation");
        metadata.Remove("managedFields");
        metadata.Remove("resourceVersion");
        if (type.Kind == "Service" && type.Group.Length == 0 && obj["spec"] is JsonObject spec && spec["clusterIP"] is null)
        {
            spec["clusterIP"] = $"10.43.0.{_nextIp++ % 250}";
        }
        return new StoredObject(type, obj);
    }

    private static StoredObject Clone(StoredObject live)
    {
        var copy = new StoredObject(live.Type, (JsonObject)live.Object.DeepClone());
        foreach (var (manager, entry) in live.Managers) copy.Managers[manager] = entry with { Fields = new HashSet<string>(entry.Fields, StringComparer.Ordinal) };
        return copy;
    }

    private JsonObject Commit(StoredObject next, StoredObject? previous, bool dryRun)
    {
        if (previous is not null && HasGeneration(next.Type, next.Object) && !JsonNode.DeepEquals(Spec(previous.Object), Spec(next.Object)))
        {
            next.Object["metadata"]!["generation"] = previous.Generation + 1;
        }
        foreach (var empty in next.Managers.Where(m => m.Value.Fields.Count == 0).Select(m => m.Key).ToList()) next.Managers.Remove(empty);
        if (previous is not null && JsonNode.DeepEquals(previous.Object, next.Object) && dryRun is false
            && previous.Managers.Keys.Order().SequenceEqual(next.Managers.Keys.Order())
            && previous.Managers.All(m => m.Value.Fields.SetEquals(next.Managers[m.Key].Fields)))
        {
            // A no-op write changes nothing, resourceVersion included (as on a real server).
            return previous.Render();
        }
        if (dryRun)
        {
            next.Object["metadata"]!["resourceVersion"] = previous?.Object["metadata"]?["resourceVersion"]?.DeepClone();
            return next.Render();
        }
        Stamp(next);
        _objects[Key(next.Type, next.Namespace, next.Name)] = next;
        Written?.Invoke(next);
        return next.Render();
    }

    private void Stamp(StoredObject obj) =>
        obj.Object["metadata"]!["resourceVersion"] = (++_resourceVersion).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static bool IsBuiltin(ApiResource type) => BuiltinResources.All.Contains(type);

    /// <summary>
    /// Whether the API server keeps <c>metadata.generation</c> for the object: custom resources always; built-in kinds
    /// of the named API groups that have a spec (Deployments, Jobs, Ingresses, CRDs, HelmCharts…). The core group's
    /// kinds (ConfigMap, Secret, Service, Namespace…) and spec-less kinds (RBAC, StorageClass) have none.
    /// </summary>
    private static bool HasGeneration(ApiResource type, JsonObject obj) =>
        !IsBuiltin(type) || (type.Group.Length > 0 && type.Kind != "Lease" && obj["spec"] is not null);

    /// <summary>What bumps generation: everything but metadata and status.</summary>
    private static JsonObject Spec(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy.Remove("metadata");
        copy.Remove("status");
        return copy;
    }
}
