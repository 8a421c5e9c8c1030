using Llmctl.Components.Observability;
using Llmctl.Engine.Model;
using Llmctl.Testing;

namespace Llmctl.Components.Tests.Observability;

public sealed class ServiceMonitorTests
{
    private const string Crd = "monitoring.coreos.com_servicemonitors.yaml";

    private static LlamaCppServiceMonitor Lane(LlamaCppServiceMonitorArgs args)
    {
        LlamaCppServiceMonitor? monitor = null;
        StackContext.Run("p", "s", _ => monitor = new LlamaCppServiceMonitor("qwen36-fast", args));
        return monitor!;
    }

    private static LiteLlmServiceMonitor Gateway(LiteLlmServiceMonitorArgs args)
    {
        LiteLlmServiceMonitor? monitor = null;
        StackContext.Run("p", "s", _ => monitor = new LiteLlmServiceMonitor("litellm", args));
        return monitor!;
    }

    [Fact]
    public void A_single_model_lane_is_one_metrics_endpoint_on_its_named_port_labelled_with_the_model()
    {
        var monitor = Lane(new LlamaCppServiceMonitorArgs { ServiceName = "qwen36-fast", Namespace = "llm", Models = ["qwen36-35b-fast"] });
        var sm = monitor.Monitor.Object;
        Assert.Equal("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", monitor.Monitor.Type);
        Assert.Equal(("llm", "kube-prometheus-stack"), (sm.Metadata.NamespaceProperty, sm.Metadata.Labels["release"]));
        Assert.Equal(["llm"], sm.Spec.NamespaceSelector!.MatchNames!);
        var endpoint = Assert.Single(sm.Spec.Endpoints);
        Assert.Equal(("http", "/metrics", "30s"), (endpoint.Port, endpoint.Path, endpoint.Interval));
        Assert.Null(endpoint.Params);
        Assert.Contains(endpoint.Relabelings!, r => r.Action == "keep" && r.Regex == "qwen36-fast" && r.SourceLabels!.Single() == "__meta_kubernetes_service_name");
        Assert.Contains(endpoint.Relabelings!, r => r.TargetLabel == "model" && r.Replacement == "qwen36-35b-fast");
        CrdSchema.AssertValid("prometheus-operator", Crd, monitor.Monitor.Inputs);
    }

    [Fact]
    public void A_router_mode_lane_gets_one_endpoint_per_model_with_the_model_query_parameter()
    {
        var monitor = Lane(new LlamaCppServiceMonitorArgs
        {
            ServiceName = "router",
            Namespace = "llm",
            PortName = "api",
            RouterMode = true,
            Models = ["qwen3-8b", "gemma-3-12b"],
        });
        var endpoints = monitor.Monitor.Object.Spec.Endpoints;
        Assert.Equal(2, endpoints.Count);
        Assert.Equal(["qwen3-8b"], endpoints[0].Params!["model"]);
        Assert.Equal(["gemma-3-12b"], endpoints[1].Params!["model"]);
        Assert.All(endpoints, e => Assert.Equal("api", e.Port));
        Assert.Equal("""{"model":["gemma-3-12b"]}""", monitor.Monitor.Inputs["spec"]!["endpoints"]![1]!["params"]!.ToJsonString());
        CrdSchema.AssertValid("prometheus-operator", Crd, monitor.Monitor.Inputs);
    }

    [Fact]
    public void The_LiteLLM_monitor_scrapes_metrics_with_a_trailing_slash_and_a_bearer_token_from_a_Secret()
    {
        var monitor = Gateway(new LiteLlmServiceMonitorArgs
        {
            ServiceName = "litellm",
            Namespace = "ai-gateway",
            BearerToken = new SecretKey("litellm-metrics", "token"),
            PrometheusRelease = "kps",
        });
        var endpoint = Assert.Single(monitor.Monitor.Object.Spec.Endpoints);
        Assert.Equal(("http", "/metrics/"), (endpoint.Port, endpoint.Path));
        Assert.Equal(("Bearer", "litellm-metrics", "token"), (endpoint.Authorization!.Type, endpoint.Authorization.Credentials!.Name, endpoint.Authorization.Credentials.Key));
        Assert.Equal("kps", monitor.Monitor.Object.Metadata.Labels["release"]);
        CrdSchema.AssertValid("prometheus-operator", Crd, monitor.Monitor.Inputs);
    }

    [Fact]
    public void The_CRD_check_would_catch_a_misspelt_endpoint_field()
    {
        var monitor = Gateway(new LiteLlmServiceMonitorArgs { ServiceName = "litellm", Namespace = "ai-gateway" });
        var bad = (System.Text.Json.Nodes.JsonObject)monitor.Monitor.Inputs.DeepClone();
        bad["spec"]!["endpoints"]![0]!["metricsPath"] = "/metrics";
        Assert.Contains("spec.endpoints[0].metricsPath: unknown field", CrdSchema.Validate("prometheus-operator", Crd, bad));
    }

    [Fact]
    public void A_router_without_models_and_other_bad_args_are_refused_with_every_problem_named()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Lane(new LlamaCppServiceMonitorArgs
        {
            ServiceName = "Qwen_Fast",
            Namespace = "llm",
            PortName = "8080/http",
            RouterMode = true,
            ScrapeInterval = "30",
        }));
        Assert.Equal(["serviceName", "portName", "scrapeInterval", "models"], ex.Problems.Select(p => p.Argument));
        Assert.Contains("router mode answers /metrics only with ?model=<id>", ex.Message);
    }

    [Fact]
    public void A_single_model_server_with_two_models_is_refused()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Lane(new LlamaCppServiceMonitorArgs
        {
            ServiceName = "fast", Namespace = "llm", Models = ["a", "b"],
        }));
        Assert.Contains("set routerMode for a router", Assert.Single(ex.Problems).Message);
    }

    [Fact]
    public void A_LiteLLM_monitor_with_a_relative_path_or_an_empty_secret_key_is_refused()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Gateway(new LiteLlmServiceMonitorArgs
        {
            ServiceName = "litellm", Namespace = "ai-gateway", Path = "metrics", BearerToken = new SecretKey("litellm-metrics", ""),
        }));
        Assert.Equal(["path", "bearerToken.key"], ex.Problems.Select(p => p.Argument));
    }
}
