using System.Globalization;
using System.Text.Json.Nodes;
using Llmctl.Components.Helm;

namespace Llmctl.Components.Gateway;

/// <summary>LiteLLM router strategies (litellm/router.py <c>routing_strategy</c>).</summary>
public enum RoutingStrategy
{
    SimpleShuffle,
    LeastBusy,
    UsageBasedRouting,
    UsageBasedRoutingV2,
    LatencyBasedRouting,
    CostBasedRouting,
}

public static class RoutingStrategies
{
    public static string ToConfig(this RoutingStrategy s) => s switch
    {
        RoutingStrategy.SimpleShuffle => "simple-shuffle",
        RoutingStrategy.LeastBusy => "least-busy",
        RoutingStrategy.UsageBasedRouting => "usage-based-routing",
        RoutingStrategy.UsageBasedRoutingV2 => "usage-based-routing-v2",
        RoutingStrategy.LatencyBasedRouting => "latency-based-routing",
        RoutingStrategy.CostBasedRouting => "cost-based-routing",
        _ => throw new ArgumentOutOfRangeException(nameof(s), s, null),
    };
}

/// <summary>
/// LiteLLM's <c>config.yaml</c> as the chart's <c>proxy_config</c> takes it. Only references to secrets appear here
/// (<c>os.environ/NAME</c>); the values are in Secrets the proxy reads as environment.
/// </summary>
public sealed record ProxyConfig
{
    public required IReadOnlyList<ModelDeployment> ModelList { get; init; }
    public RouterSettings RouterSettings { get; init; } = new();
    public LiteLlmSettings LiteLlmSettings { get; init; } = new();
    public GeneralSettings GeneralSettings { get; init; } = new();

    public JsonObject ToJson() => new()
    {
        ["model_list"] = new JsonArray([.. ModelList.Select(m => (JsonNode)m.ToJson())]),
        ["router_settings"] = RouterSettings.ToJson(),
        ["litellm_settings"] = LiteLlmSettings.ToJson(),
        ["general_settings"] = GeneralSettings.ToJson(),
    };

    /// <summary>The config as YAML, every map's keys sorted.</summary>
    public string ToYaml() => HelmRelease.ValuesYaml(ToJson());
}

/// <summary>One <c>model_list</c> entry: a public <see cref="ModelName"/> served by one backend deployment.</summary>
public sealed record ModelDeployment
{
    public required string ModelName { get; init; }
    public required LiteLlmParams Params { get; init; }

    public JsonObject ToJson() => new() { ["model_name"] = ModelName, ["litellm_params"] = Params.ToJson() };
}

public sealed record LiteLlmParams
{
    /// <summary>Provider-prefixed model id: <c>openai/&lt;served id&gt;</c> for any OpenAI-compatible server.</summary>
    public required string Model { get; init; }
    public required string ApiBase { get; init; }
    /// <summary>A literal for keyless local servers (<c>none</c>) or <c>os.environ/NAME</c>; never a real key.</summary>
    public required string ApiKey { get; init; }
    public int? Rpm { get; init; }
    public int? Tpm { get; init; }
    /// <summary>Lower is preferred within the model group; the next tier takes over on failure.</summary>
    public int? Order { get; init; }

    public JsonObject ToJson()
    {
        var o = new JsonObject { ["model"] = Model, ["api_base"] = ApiBase, ["api_key"] = ApiKey };
        if (Rpm is { } rpm) o["rpm"] = rpm;
        if (Tpm is { } tpm) o["tpm"] = tpm;
        if (Order is { } order) o["order"] = order;
        return o;
    }
}

public sealed record RouterSettings
{
    public RoutingStrategy RoutingStrategy { get; init; } = RoutingStrategy.UsageBasedRouting;
    public int NumRetries { get; init; } = 2;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(600);
    /// <summary>Model name → the names tried, in order, when it fails.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Fallbacks { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["routing_strategy"] = RoutingStrategy.ToConfig(),
            ["num_retries"] = NumRetries,
            ["timeout"] = Seconds(Timeout),
        };
        if (Fallbacks.Count > 0)
        {
            o["fallbacks"] = new JsonArray([.. Fallbacks.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => (JsonNode)new JsonObject { [kv.Key] = new JsonArray([.. kv.Value.Select(v => (JsonNode)JsonValue.Create(v))]) })]);
        }
        return o;
    }

    internal static JsonNode Seconds(TimeSpan t) => t.Ticks % TimeSpan.TicksPerSecond == 0
        ? JsonValue.Create((long)t.TotalSeconds)
        : JsonValue.Create(double.Parse(t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
}

public sealed record LiteLlmSettings
{
    /// <summary>Drop OpenAI parameters a backend does not support instead of failing the request.</summary>
    public bool DropParams { get; init; } = true;
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(600);
    /// <summary>Serve Prometheus metrics on <c>/metrics</c> (the <c>prometheus</c> callback).</summary>
    public bool Prometheus { get; init; } = true;

    public JsonObject ToJson()
    {
        var o = new JsonObject { ["drop_params"] = DropParams, ["request_timeout"] = RouterSettings.Seconds(RequestTimeout) };
        if (Prometheus) o["callbacks"] = new JsonArray("prometheus");
        return o;
    }
}

public sealed record GeneralSettings
{
    public const string MasterKeyEnv = "PROXY_MASTER_KEY";
    public const string DatabaseUrlEnv = "DATABASE_URL";

    /// <summary>Read the database URL from <c>DATABASE_URL</c> (an external database).</summary>
    public bool DatabaseUrlFromEnv { get; init; }

    public JsonObject ToJson()
    {
        var o = new JsonObject { ["master_key"] = $"os.environ/{MasterKeyEnv}" };
        if (DatabaseUrlFromEnv) o["database_url"] = $"os.environ/{DatabaseUrlEnv}";
        return o;
    }
}
