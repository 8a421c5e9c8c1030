using System.Diagnostics;
using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Providers;
using Llmctl.Engine.State;
using Llmctl.Providers.Kubernetes;

namespace Llmctl.Testing.Kubernetes;

/// <summary>
/// The live-preview benchmark: <c>count</c> ConfigMaps are applied, then the fake answers every request after
/// <c>latency</c> and a live-diff plan (one GET and one dry-run apply per resource) is timed at the planner's
/// concurrency. Call <see cref="RunAsync"/> from a bench harness with (500, 50 ms); the test runs a small instance.
/// </summary>
public static class LivePreviewBenchmark
{
    public sealed record Result(int Resources, TimeSpan Latency, int Concurrency, TimeSpan Elapsed, int Requests, bool HasChanges);

    public static async Task<Result> RunAsync(int count = 500, TimeSpan? latency = null, int concurrency = 16)
    {
        await using var server = await FakeKubernetesServer.StartAsync();
        var options = new KubernetesProviderOptions
        {
            Kubeconfig = server.Kubeconfig,
            PollInterval = TimeSpan.FromMilliseconds(10),
            RequestTimeout = TimeSpan.FromSeconds(10),
        };
        var providers = new ProviderRegistry().Register(KubernetesProvider.Package, new KubernetesProvider(options));
        var checkpoint = StackCheckpoint.Empty("bench", "dev");
        var desired = StackContext.Run("bench", "dev", _ => Program(count), isPreview: false);
        var up = await new Engine.Deployment.Updater(providers, new Llmctl.Testing.InMemoryBackend(), null)
            .RunAsync(await new Planner(providers).PlanAsync(desired, checkpoint), desired, checkpoint);
        if (!up.Succeeded) throw new InvalidOperationException(string.Join("\n", up.Failures));

        server.Latency = latency ?? TimeSpan.FromMilliseconds(50);
        var before = server.Requests.Count;
        var live = new ProviderRegistry().Register(KubernetesProvider.Package, new KubernetesProvider(options with { LiveDiff = true }));
        var clock = Stopwatch.StartNew();
        var plan = await new Planner(live).PlanAsync(StackContext.Run("bench", "dev", _ => Program(count)), up.Checkpoint, new PlanOptions { Concurrency = concurrency });
        clock.Stop();
        return new Result(count, server.Latency, concurrency, clock.Elapsed, server.Requests.Count - before, plan.HasChanges);
    }

    private static void Program(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _ = new CustomResource("kubernetes:core/v1:ConfigMap", $"cm-{i}", new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "ConfigMap",
                ["metadata"] = new JsonObject { ["name"] = $"cm-{i}", ["namespace"] = "default" },
                ["data"] = new JsonObject { ["index"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            });
        }
    }
}

