using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Llmctl.Testing.Kubernetes;

/// <summary>
/// An in-process Kubernetes API server on 127.0.0.1 (a free port) for tests: generic storage for every resource
/// type by URL, server-side apply with managedFields and conflicts, dry-run, create, replace, delete, list, and the
/// controls a test needs — readiness emulation, status edits, fault injection, latency and a request log.
/// </summary>
public sealed class FakeKubernetesServer : IAsyncDisposable
{
    private readonly ObjectStore _store = new();
    private readonly AutoReady _autoReady;
    private readonly FaultInjector _faults = new();
    private readonly ConcurrentDictionary<string, TimeSpan> _deleteDelays = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JsonObject[]> _chartInstalls = new(StringComparer.Ordinal);
    private readonly WebApplication _app;

    private FakeKubernetesServer(WebApplication app)
    {
        _app = app;
        _autoReady = new AutoReady(_store);
        _store.Written = _autoReady.OnWritten;
        _store.DeletionDelay = o => _deleteDelays.GetValueOrDefault(o.Type.Kind);
        _autoReady.HelmInstalled = OnHelmInstalled;
        foreach (var ns in new[] { "default", "kube-system", "kube-public" })
        {
            _store.Seed(Type("Namespace"), new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } });
        }
        app.Run(HandleAsync);
    }

    /// <summary>A path outside the Kubernetes API that answers every stored object as one JSON array.</summary>
    public const string DumpPath = "/_fake/objects";

    /// <summary>The base URL (<c>http://127.0.0.1:PORT</c>).</summary>
    public string Url { get; private set; } = "";

    /// <summary>A kubeconfig whose only context (<c>fake</c>) points at this server.</summary>
    public string Kubeconfig => KubeconfigFor("fake");

    /// <summary>A kubeconfig whose only context, <paramref name="context"/>, points at this server.</summary>
    public string KubeconfigFor(string context) => Llmctl.Testing.Kubeconfigs.For(Url, context);

    /// <summary>Added to every request before it is answered (the benchmark uses 50 ms).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Every request answered, in order.</summary>
    public ConcurrentQueue<RequestRecord> Requests { get; } = new();

    public static async Task<FakeKubernetesServer> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var server = new FakeKubernetesServer(app);
        await app.StartAsync().ConfigureAwait(false);
        server.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    // ---- Test controls -------------------------------------------------------------------------------------------

    /// <summary>
    /// Objects of <paramref name="kind"/> become ready <paramref name="after"/> each spec change (Deployment,
    /// StatefulSet, DaemonSet, Job, CustomResourceDefinition, HelmChart — which starts its helm-install Job).
    /// </summary>
    public FakeKubernetesServer AutoReady(string kind, TimeSpan after = default)
    {
        _autoReady.Enable(kind, after);
        return this;
    }

    /// <summary>Every kind the fake knows how to make ready, after <paramref name="after"/>.</summary>
    public FakeKubernetesServer AutoReadyAll(TimeSpan after = default)
    {
        foreach (var kind in new[] { "Deployment", "StatefulSet", "DaemonSet", "Job", "CustomResourceDefinition", "HelmChart" }) AutoReady(kind, after);
        return this;
    }

    /// <summary>Deleting an object of <paramref name="kind"/> marks it terminating; it is gone after the delay.</summary>
    public FakeKubernetesServer DeleteDelay(string kind, TimeSpan delay)
    {
        _deleteDelays[kind] = delay;
        return this;
    }

    /// <summary>The next <paramref name="count"/> requests whose path matches the regex answer <paramref name="status"/>.</summary>
    public Fault FailNext(string pathPattern, int count = 1, int status = 500, string? method = null) =>
        _faults.Arm(new Fault(new Regex(pathPattern), method, count, FaultKind.Status, status, TimeSpan.Zero));

    /// <summary>The next matching requests wait <paramref name="delay"/> before being answered.</summary>
    public Fault DelayNext(string pathPattern, TimeSpan delay, int count = 1, string? method = null) =>
        _faults.Arm(new Fault(new Regex(pathPattern), method, count, FaultKind.Delay, 200, delay));

    /// <summary>The next matching requests have their connection aborted (a reset, seen as an IOException).</summary>
    public Fault AbortNext(string pathPattern, int count = 1, string? method = null) =>
        _faults.Arm(new Fault(new Regex(pathPattern), method, count, FaultKind.Abort, 0, TimeSpan.Zero));

    public void ClearFaults() => _faults.Clear();

    /// <summary>
    /// What the HelmChart named <paramref name="chart"/> creates when k3s's helm-controller installs it (its CRDs, say):
    /// stored when its helm-install Job completes, as the real release would create them, and not before — so an object
    /// applied before the chart is installed gets the real API server's 404. The chart's <c>targetNamespace</c> is
    /// created then too when it sets <c>createNamespace: true</c> (helm's <c>--create-namespace</c>), with or without this.
    /// </summary>
    public FakeKubernetesServer ChartInstalls(string chart, params JsonObject[] objects)
    {
        _chartInstalls[chart] = objects;
        return this;
    }

    private void OnHelmInstalled(StoredObject chart)
    {
        if (chart.Object["spec"]?["createNamespace"]?.GetValue<bool>() == true && chart.Object["spec"]?["targetNamespace"]?.GetValue<string>() is { } target
            && _store.Find(Type("Namespace"), null, target) is null)
        {
            _store.Seed(Type("Namespace"), new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = target } });
        }
        foreach (var obj in _chartInstalls.GetValueOrDefault(chart.Name) ?? [])
        {
            var type = Type(obj["kind"]!.GetValue<string>());
            var ns = type.Namespaced ? obj["metadata"]?["namespace"]?.GetValue<string>() ?? "default" : null;
            if (_store.Find(type, ns, obj["metadata"]!["name"]!.GetValue<string>()) is null) _store.Seed(type, (JsonObject)obj.DeepClone());
        }
    }

    /// <summary>A Node that exists (k3s registered it), for NodePatch tests.</summary>
    public void AddNode(string name, IReadOnlyDictionary<string, string>? labels = null)
    {
        var meta = new JsonObject { ["name"] = name };
        if (labels is not null) meta["labels"] = new JsonObject(labels.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        _store.Seed(Type("Node"), new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = meta });
    }

    /// <summary>Stores an object as if someone created it (no field manager owns its fields).</summary>
    public void Seed(JsonObject obj) => _store.Seed(Type(obj["kind"]!.GetValue<string>()), obj);

    /// <summary>The stored object (managedFields rendered) or null.</summary>
    public JsonObject? Get(string kind, string? ns, string name)
    {
        var found = Find(kind, ns, name);
        return found is null ? null : _store.Get(found.Type, found.Namespace, found.Name);
    }

    /// <summary>Every stored object of <paramref name="kind"/>.</summary>
    public IReadOnlyList<JsonObject> All(string kind) =>
        _store.All().Where(o => o.Type.Kind == kind).Select(o => _store.Get(o.Type, o.Namespace, o.Name)).ToList();

    /// <summary>Changes the object's status as its controller would.</summary>
    public void SetStatus(string kind, string? ns, string name, Action<JsonObject> change)
    {
        var found = Find(kind, ns, name) ?? throw new InvalidOperationException($"{kind} {ns}/{name} is not stored");
        _store.SetStatus(found, change);
    }

    /// <summary>Marks a Job failed the way the Job controller does (<c>Failed=True</c> with a reason and message).</summary>
    public void FailJob(string ns, string name, string message) => SetStatus("Job", ns, name, s =>
    {
        s["failed"] = 1;
        s["conditions"] = new JsonArray(Kubernetes.AutoReady.Condition("Failed", "True", "BackoffLimitExceeded",
            DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture), message));
    });

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Ns, string Pod), string> _podLogs = new();

    /// <summary>
    /// A Pod the Job <paramref name="job"/> ran (label <c>job-name</c>, as the Job controller sets) with the log it
    /// printed — what a failed helm-install Job leaves behind.
    /// </summary>
    public void AddJobPod(string ns, string job, string log)
    {
        var pod = $"{job}-{_podLogs.Count:x5}";
        Seed(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = pod, ["namespace"] = ns, ["labels"] = new JsonObject { ["job-name"] = job } },
            ["status"] = new JsonObject { ["phase"] = "Failed" },
        });
        _podLogs[(ns, pod)] = log;
    }

    /// <summary>Server-side apply as another field manager (another tool, another llmctl, a person with kubectl).</summary>
    public JsonObject ApplyAs(string manager, JsonObject obj, bool force = false)
    {
        var type = Type(obj["kind"]!.GetValue<string>());
        var ns = type.Namespaced ? obj["metadata"]?["namespace"]?.GetValue<string>() ?? "default" : null;
        return _store.Apply(type, obj["apiVersion"]!.GetValue<string>(), ns, obj["metadata"]!["name"]!.GetValue<string>(), obj, manager, force, dryRun: false);
    }

    /// <summary>An Update (kubectl edit/scale) by <paramref name="manager"/>: the fields it changes become its own.</summary>
    public JsonObject Edit(string kind, string? ns, string name, string manager, Action<JsonObject> change)
    {
        var found = Find(kind, ns, name) ?? throw new InvalidOperationException($"{kind} {ns}/{name} is not stored");
        return _store.Mutate(found.Type, found.Namespace, found.Name, manager, found.Object["apiVersion"]?.GetValue<string>() ?? "v1", change);
    }

    private StoredObject? Find(string kind, string? ns, string name) =>
        _store.All().FirstOrDefault(o => o.Type.Kind == kind && o.Name == name && (!o.Type.Namespaced || o.Namespace == ns));

    private ApiResource Type(string kind) =>
        BuiltinResources.All.FirstOrDefault(r => r.Kind == kind)
        ?? _store.All().Select(o => o.Type).FirstOrDefault(t => t.Kind == kind)
        ?? CrdType(kind)
        ?? throw new InvalidOperationException($"the fake serves no kind '{kind}'");

    private ApiResource? CrdType(string kind)
    {
        var crd = _store.All().FirstOrDefault(o => o.Type.Kind == "CustomResourceDefinition" && o.Object["spec"]?["names"]?["kind"]?.GetValue<string>() == kind);
        var plural = crd?.Object["spec"]?["names"]?["plural"]?.GetValue<string>();
        return plural is null ? null : _store.Resolve(crd!.Object["spec"]!["group"]!.GetValue<string>(), plural);
    }

    // ---- HTTP ----------------------------------------------------------------------------------------------------

    private async Task HandleAsync(HttpContext ctx)
    {
        var request = ctx.Request;
        if (Latency > TimeSpan.Zero) await Task.Delay(Latency).ConfigureAwait(false);
        var fault = _faults.Take(request.Method, request.Path.Value ?? "");
        if (fault is { Kind: FaultKind.Abort })
        {
            Log(ctx, 0);
            ctx.Abort();
            return;
        }
        if (fault is { Kind: FaultKind.Delay }) await Task.Delay(fault.Delay).ConfigureAwait(false);
        if (fault is { Kind: FaultKind.Status })
        {
            var reason = fault.StatusCode switch { 429 => "TooManyRequests", 503 => "ServiceUnavailable", _ => "InternalError" };
            await WriteAsync(ctx, fault.StatusCode, new ApiError(fault.StatusCode, reason, $"injected fault ({fault.StatusCode})").ToStatus()).ConfigureAwait(false);
            return;
        }
        if (request.Method == "GET" && ResourcePath.Parse(request.Path.Value ?? "") is { Plural: "pods", Subresource: "log", Name: { } pod, Namespace: var podNs })
        {
            // Pod logs are plain text, not JSON; tailLines is honoured like the real server.
            if (!_podLogs.TryGetValue((podNs ?? "default", pod), out var text))
            {
                await WriteAsync(ctx, 404, new ApiError(404, "NotFound", $"pods \"{pod}\" not found").ToStatus()).ConfigureAwait(false);
                return;
            }
            if (int.TryParse(request.Query["tailLines"].ToString(), out var tail))
            {
                text = string.Join('\n', text.Split('\n').TakeLast(tail));
            }
            Log(ctx, 200);
            ctx.Response.ContentType = "text/plain";
            await ctx.Response.WriteAsync(text, Encoding.UTF8).ConfigureAwait(false);
            return;
        }
        try
        {
            var (status, body) = await DispatchAsync(request).ConfigureAwait(false);
            await WriteAsync(ctx, status, body).ConfigureAwait(false);
        }
        catch (ApiError e)
        {
            await WriteAsync(ctx, e.Code, e.ToStatus()).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            await WriteAsync(ctx, 400, new ApiError(400, "BadRequest", $"the body is not valid JSON: {e.Message}").ToStatus()).ConfigureAwait(false);
        }
    }

    private async Task WriteAsync(HttpContext ctx, int status, JsonNode body)
    {
        Log(ctx, status);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body.ToJsonString(), Encoding.UTF8).ConfigureAwait(false);
    }

    private void Log(HttpContext ctx, int status) =>
        Requests.Enqueue(new RequestRecord(ctx.Request.Method, ctx.Request.Path.Value ?? "", ctx.Request.QueryString.Value ?? "", ctx.Request.ContentType, status));

    private async Task<(int Status, JsonNode Body)> DispatchAsync(HttpRequest request)
    {
        var path = request.Path.Value ?? "/";
        switch (path.TrimEnd('/'))
        {
            case "/version":
                return (200, new JsonObject { ["major"] = "1", ["minor"] = "33", ["gitVersion"] = "v1.33.0+k3s1", ["platform"] = "linux/amd64" });
            case DumpPath:
                // Not a Kubernetes path: every stored object, for a test that drives the fake from another process.
                return (200, new JsonArray(_store.All().OrderBy(o => o.Type.Key, StringComparer.Ordinal).ThenBy(o => o.Namespace, StringComparer.Ordinal)
                    .ThenBy(o => o.Name, StringComparer.Ordinal).Select(o => (JsonNode)_store.Get(o.Type, o.Namespace, o.Name)).ToArray()));
        }
        if (request.Method == "GET" && Discovery.Answer(path, _store) is { } discovery) return (200, discovery);
        var target = ResourcePath.Parse(path) ?? throw new ApiError(404, "NotFound", "the server could not find the requested resource");
        var type = _store.Resolve(target.Group, target.Plural)
            ?? throw new ApiError(404, "NotFound", "the server could not find the requested resource");
        var ns = type.Namespaced ? target.Namespace : null;
        if (type.Namespaced && ns is null && target.Name is not null) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
        var query = request.Query;
        var dryRun = query["dryRun"].ToString() == "All";
        var manager = query["fieldManager"].ToString();
        var fieldValidation = query["fieldValidation"].ToString();
        if (fieldValidation.Length > 0 && fieldValidation is not ("Strict" or "Warn" or "Ignore"))
        {
            throw new ApiError(400, "BadRequest", $"fieldValidation must be one of Strict, Warn or Ignore, not '{fieldValidation}'");
        }

        switch (request.Method)
        {
            case "GET" when target.Name is null:
                return (200, _store.List(type, target.ApiVersion, ns, LabelSelector.Parse(query["labelSelector"].ToString())));
            case "GET":
                return (200, _store.Get(type, ns, target.Name));
            case "DELETE" when target.Name is not null:
                var options = await ReadOptionalBodyAsync(request).ConfigureAwait(false);
                dryRun |= options?["dryRun"] is JsonArray d && d.Any(x => x?.GetValue<string>() == "All");
                return (200, _store.Delete(type, ns, target.Name, dryRun, options?["preconditions"] as JsonObject));
            case "POST" when target.Name is null:
                return (201, _store.Create(type, target.ApiVersion, ns, await ReadBodyAsync(request).ConfigureAwait(false), Manager(manager, request), dryRun));
            case "PUT" when target.Name is not null && target.Subresource is null:
                return (200, _store.Replace(type, target.ApiVersion, ns, target.Name, await ReadBodyAsync(request).ConfigureAwait(false), Manager(manager, request), dryRun));
            case "PATCH" when target.Name is not null && target.Subresource is null:
                var contentType = request.ContentType ?? "";
                if (!contentType.StartsWith("application/apply-patch+yaml", StringComparison.Ordinal))
                {
                    throw new ApiError(415, "UnsupportedMediaType", $"the fake supports only server-side apply patches, not '{contentType}'");
                }
                if (manager.Length == 0) throw new ApiError(422, "Invalid", "fieldManager is required for apply requests");
                var force = query["force"].ToString() == "true";
                var existed = _store.Find(type, ns, target.Name) is not null;
                var applied = _store.Apply(type, target.ApiVersion, ns, target.Name, await ReadBodyAsync(request).ConfigureAwait(false), manager, force, dryRun);
                return (existed ? 200 : 201, applied);
            default:
                throw new ApiError(405, "MethodNotAllowed", $"{request.Method} is not supported on {path}");
        }
    }

    private static string Manager(string fromQuery, HttpRequest request) =>
        fromQuery.Length > 0 ? fromQuery : (request.Headers.UserAgent.ToString().Split('/')[0] is { Length: > 0 } ua ? ua : "unknown");

    /// <summary>A DELETE's <c>DeleteOptions</c>, when it sent one.</summary>
    private static async Task<JsonObject?> ReadOptionalBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync().ConfigureAwait(false);
        return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text) as JsonObject;
    }

    private static async Task<JsonObject> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync().ConfigureAwait(false);
        // Apply bodies are YAML; JSON is YAML, and JSON is all this fake (and llmctl) sends.
        return JsonNode.Parse(text) as JsonObject ?? throw new ApiError(400, "BadRequest", "the body must be an object");
    }
}
