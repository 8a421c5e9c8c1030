using System.Collections.Concurrent;
using System.Diagnostics;
using Llmctl.Engine.Config;
using Llmctl.Engine.Deployment;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Providers;
using Llmctl.Engine.State;
using Llmctl.Providers.Kubernetes;
using Llmctl.Stacks;
using Llmctl.Stacks.Config;
using Llmctl.Testing.Kubernetes;

// dotnet run -c Release --project bench/Llmctl.Bench -- live-preview [resources=500] [latencyMs=50] [concurrency=16]
// dotnet run -c Release --project bench/Llmctl.Bench -- up-homelab [latencyMs=50] [readyMs=500]
// dotnet run -c Release --project bench/Llmctl.Bench -- chat-overhead [requests=2000] [concurrency=1,4,16] [tokens=16]
var verb = args.ElementAtOrDefault(0) ?? "live-preview";
int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture) : fallback;

switch (verb)
{
    case "live-preview":
    {
        var result = await LivePreviewBenchmark.RunAsync(Arg(1, 500), TimeSpan.FromMilliseconds(Arg(2, 50)), Arg(3, 16));
        Console.WriteLine($"live preview: {result.Resources} resources, {result.Latency.TotalMilliseconds} ms per request, concurrency {result.Concurrency}: " +
            $"{result.Elapsed.TotalSeconds:F2} s, {result.Requests} requests, changes: {result.HasChanges}");
        return 0;
    }
    case "compose-costs":
    {
        // Where a cold composition of the homelab spends its time: the first use of each serializer, then the whole.
        var sw = Stopwatch.StartNew();
        _ = k8s.KubernetesJson.Serialize(new k8s.Models.V1Deployment { Spec = new k8s.Models.V1DeploymentSpec { Template = new k8s.Models.V1PodTemplateSpec { Spec = new k8s.Models.V1PodSpec() } } });
        Console.WriteLine($"first KubernetesJson.Serialize: {sw.ElapsedMilliseconds} ms");
        sw.Restart();
        _ = System.Text.Json.JsonSerializer.SerializeToNode(new { a = 1, b = "x" }, System.Text.Json.JsonSerializerOptions.Web);
        Console.WriteLine($"first JsonSerializer.SerializeToNode: {sw.ElapsedMilliseconds} ms");
        sw.Restart();
        _ = Llmctl.Components.Kubernetes.Render.ManifestYaml.WriteValues(new System.Text.Json.Nodes.JsonObject { ["a"] = 1 });
        Console.WriteLine($"first ManifestYaml.WriteValues: {sw.ElapsedMilliseconds} ms");
        var root = FindRoot();
        sw.Restart();
        var loaded = StackPipeline.Load(root, "homelab");
        var config = StackPipeline.Bind(loaded);
        Console.WriteLine($"load + bind: {sw.ElapsedMilliseconds} ms");
        for (var i = 0; i < 3; i++)
        {
            sw.Restart();
            StackPipeline.Compose(loaded, config, isPreview: true);
            Console.WriteLine($"compose #{i + 1}: {sw.ElapsedMilliseconds} ms");
        }
        return 0;
    }
    case "up-homelab":
        return await UpHomelab(TimeSpan.FromMilliseconds(Arg(1, 50)), TimeSpan.FromMilliseconds(Arg(2, 500)));
    case "gguf-fuzz":
        return GgufFuzz(Arg(1, 10_000), Arg(2, 20261201));
    case "chat-overhead":
        return await ChatOverhead.RunAsync(Arg(1, 2000), args.ElementAtOrDefault(2) ?? "1,4,16", Arg(3, 16));
    default:
        Console.Error.WriteLine("verbs: live-preview, compose-costs, up-homelab, gguf-fuzz, chat-overhead");
        return 2;
}

// `up` of the homelab stack against the fake with per-request latency and Deployments that take `ready` to become
// available. The critical path is the longest chain of measured step durations through the dependency graph: the
// best any scheduler could do with these step times.
static async Task<int> UpHomelab(TimeSpan latency, TimeSpan ready)
{
    var root = FindRoot();
    var loaded = StackPipeline.Load(root, "homelab");
    var config = StackPipeline.Bind(loaded);
    await using var server = await FakeKubernetesServer.StartAsync();
    server.AutoReadyAll(ready);
    server.AddNode("gpu-worker", new Dictionary<string, string> { ["kubernetes.io/hostname"] = "gpu-worker" });
    // The fake has no helm-controller: emulate what the kube-prometheus-stack chart's install creates (its CRDs and
    // namespace), which the ServiceMonitors, rules and dashboards wait for.
    server.Seed(Crd("monitoring.coreos.com", "ServiceMonitor", "servicemonitors"));
    server.Seed(Crd("monitoring.coreos.com", "PrometheusRule", "prometheusrules"));
    server.Seed(new System.Text.Json.Nodes.JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "monitoring" } });
    server.Latency = latency;
    var provider = new KubernetesProvider(new KubernetesProviderOptions { Kubeconfig = server.Kubeconfig, PollInterval = TimeSpan.FromMilliseconds(50) });
    var providers = new ProviderRegistry().Register(KubernetesProvider.Package, provider);
    var desired = StackPipeline.Compose(loaded, config, isPreview: false);
    var start = StackCheckpoint.Empty(loaded.ProjectName, "homelab");
    var plan = await StackPipeline.Plan(desired, start, providers);
    var observer = new Timings();
    var clock = Stopwatch.StartNew();
    var result = await new Updater(providers, new Llmctl.Testing.InMemoryBackend(), null).RunAsync(plan, desired, start, new UpdateOptions(), observer);
    clock.Stop();
    if (!result.Succeeded)
    {
        foreach (var f in result.Failures) Console.Error.WriteLine($"{f.Urn}: {f.Message}");
        return 1;
    }
    var critical = CriticalPath(plan, observer.Durations);
    Console.WriteLine($"up homelab: {plan.Steps.Count(s => s.Op.IsChange())} steps, {latency.TotalMilliseconds} ms per request, Deployments ready after {ready.TotalMilliseconds} ms: " +
        $"wall {clock.Elapsed.TotalSeconds:F2} s, critical path {critical.TotalSeconds:F2} s, ratio {clock.Elapsed / critical:F2}");
    return 0;
}

static System.Text.Json.Nodes.JsonObject Crd(string group, string kind, string plural) => System.Text.Json.Nodes.JsonNode.Parse($$$"""
    {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
     "metadata": {"name": "{{{plural}}}.{{{group}}}"},
     "spec": {"group": "{{{group}}}", "scope": "Namespaced", "names": {"kind": "{{{kind}}}", "plural": "{{{plural}}}"},
              "versions": [{"name": "v1", "served": true, "storage": true}]},
     "status": {"conditions": [{"type": "Established", "status": "True"}]}}
    """)!.AsObject();

static TimeSpan CriticalPath(Plan plan, IReadOnlyDictionary<string, TimeSpan> durations)
{
    var steps = plan.Steps.Where(s => s.New is not null).ToDictionary(s => s.Urn.Value);
    var memo = new Dictionary<string, TimeSpan>();
    TimeSpan Finish(string urn)
    {
        if (memo.TryGetValue(urn, out var done)) return done;
        var step = steps[urn];
        var before = step.New!.Dependencies.Select(d => d.Value).Append(step.New.Parent?.Value)
            .Where(u => u is not null && steps.ContainsKey(u)).Select(u => Finish(u!)).DefaultIfEmpty(TimeSpan.Zero).Max();
        return memo[urn] = before + durations.GetValueOrDefault(urn);
    }
    return steps.Keys.Select(Finish).Max();
}

// Mutants of the real upstream GGUF files through the reader (bench/gguf-fuzz.sh; docs/gguf-fuzz.md records a run).
static int GgufFuzz(int iterations, int seed)
{
    var shared = Environment.GetEnvironmentVariable("LLMCTL_SHARED_DIR") is { Length: > 0 } env ? env : Path.Combine(FindRoot(), "..", "shared");
    var dir = Path.Combine(shared, "upstream", "gguf");
    if (!Directory.Exists(dir))
    {
        Console.Error.WriteLine($"{dir} is not there: set LLMCTL_SHARED_DIR to the shared folder");
        return 2;
    }
    var originals = Directory.GetFiles(dir, "*.gguf").Order(StringComparer.Ordinal).Select(p => (Path.GetFileName(p), File.ReadAllBytes(p))).ToList();
    var r = Llmctl.Fit.Tests.Gguf.GgufMutator.Run(originals, iterations, seed);
    Console.WriteLine($"| files | mutants | read | refused | failures | max allocated per read | slowest read | total |");
    Console.WriteLine($"|---|---|---|---|---|---|---|---|");
    Console.WriteLine($"| {originals.Count} ({originals.Sum(o => (long)o.Item2.Length):N0} bytes) | {r.Iterations:N0} | {r.Accepted:N0} | {r.Refused:N0} | {r.Failures.Count} | " +
        $"{r.MaxAllocatedBytes / 1048576.0:F1} MiB | {r.MaxElapsed.TotalMilliseconds:F0} ms | {r.Total.TotalSeconds:F0} s |");
    Console.WriteLine();
    Console.WriteLine("mutations: " + string.Join(", ", r.ByKind.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key} {k.Value:N0}")));
    Console.WriteLine();
    Console.WriteLine("some of the errors (numbers as N):");
    foreach (var m in r.SampleMessages.Take(25)) Console.WriteLine($"- {m}");
    foreach (var f in r.Failures.Take(50)) Console.Error.WriteLine($"FAILURE {f}");
    return r.Failures.Count == 0 ? 0 : 1;
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "llmctl.slnx"))) return dir.FullName;
    }
    throw new InvalidOperationException("run from inside the repository");
}

sealed class Timings : IStepObserver
{
    public ConcurrentDictionary<string, TimeSpan> Durations { get; } = new();
    public void StepStarted(Step step) { }
    public void StepCompleted(Step step, StepOp performed, TimeSpan elapsed) => Durations[step.Urn.Value] = elapsed;
    public void StepFailed(Step step, string error) { }
}
