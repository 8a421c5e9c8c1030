using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Testing.Kubernetes;

namespace Llmctl.Providers.Kubernetes.Tests;

/// <summary>A fake API server and a provider pointed at it through a kubeconfig, with test-speed polling and retries.</summary>
internal sealed class ProviderHarness : IAsyncDisposable
{
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(10);

    private ProviderHarness(FakeKubernetesServer server, KubernetesProvider provider)
    {
        Server = server;
        Provider = provider;
    }

    public FakeKubernetesServer Server { get; }
    public KubernetesProvider Provider { get; }

    public static async Task<ProviderHarness> StartAsync(Func<KubernetesProviderOptions, KubernetesProviderOptions>? tweak = null)
    {
        var server = await FakeKubernetesServer.StartAsync();
        var options = FastOptions(server);
        return new ProviderHarness(server, new KubernetesProvider(tweak?.Invoke(options) ?? options));
    }

    public static KubernetesProviderOptions FastOptions(FakeKubernetesServer server) => new()
    {
        Kubeconfig = server.Kubeconfig,
        PollInterval = TimeSpan.FromMilliseconds(10),
        RequestTimeout = TimeSpan.FromSeconds(2),
        Retry = new RetrySettings { MaxAttempts = 4, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) },
    };

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    public static Urn UrnOf(string type, string name) => Urn.Create("dev", "proj", null, type, name);

    public static JsonObject Deployment(string name, int replicas = 1, string ns = "default", Dictionary<string, string>? annotations = null)
    {
        var metadata = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = new JsonObject { ["app"] = name } };
        if (annotations is not null) metadata["annotations"] = new JsonObject(annotations.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = name } },
                    ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = "nginx:1.27" }) },
                },
            },
        };
    }

    public static JsonObject Simple(string apiVersion, string kind, string name, string? ns = "default", JsonObject? spec = null)
    {
        var obj = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["metadata"] = new JsonObject { ["name"] = name } };
        if (ns is not null) obj["metadata"]!["namespace"] = ns;
        if (spec is not null) obj["spec"] = spec;
        return obj;
    }

    public static string TypeOf(JsonObject obj)
    {
        var apiVersion = obj["apiVersion"]!.GetValue<string>();
        var module = apiVersion.Contains('/') ? apiVersion : $"core/{apiVersion}";
        return $"kubernetes:{module}:{obj["kind"]!.GetValue<string>()}";
    }

    public Task<Engine.Providers.ProviderResult> CreateAsync(JsonObject obj, TimeSpan? timeout = null, CancellationToken ct = default) =>
        Provider.CreateAsync(UrnOf(TypeOf(obj), obj["metadata"]!["name"]!.GetValue<string>()), TypeOf(obj), obj, timeout ?? Long, ct);
}
