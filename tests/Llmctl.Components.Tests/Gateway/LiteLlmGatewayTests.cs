using System.Text.Json.Nodes;
using Llmctl.Components.Gateway;
using Llmctl.Components.Images;
using Llmctl.Components.Models;
using Llmctl.Components.Tests.Certificates;
using Llmctl.Engine.Model;
using Llmctl.Testing;

namespace Llmctl.Components.Tests.Gateway;

public sealed class LiteLlmGatewayTests
{
    private const string MasterKey = "sk-master-0123456789";
    private const string OpenAiKey = "sk-openai-abcdef";
    private const string DbPassword = "pg-password-xyz";

    // Seed 000: gemma4:e4b on both mini PCs behind one name, and two OpenAI models.
    private static LiteLlmGatewayArgs Seed000 => new()
    {
        Namespace = "ollama",
        MasterKey = Output.CreateSecret(MasterKey),
        Fleets =
        [
            new ModelFleet
            {
                ModelName = "gemma4:e4b",
                Endpoints = ["http://ollama.ollama.svc.cluster.local:11434/v1", "http://ollama-bosgame.ollama.svc.cluster.local:11434/v1"],
                Rpm = 60,
            },
        ],
        ExternalModels =
        [
            new ExternalModel { ModelName = "gpt-5.5", Model = "openai/gpt-5.5", ApiBase = "https://api.openai.com/v1", ApiKeyEnv = "OPENAI_API_KEY", Rpm = 120 },
            new ExternalModel { ModelName = "gpt-5.4-mini", Model = "openai/gpt-5.4-mini", ApiBase = "https://api.openai.com/v1", ApiKeyEnv = "OPENAI_API_KEY", Rpm = 180 },
        ],
        ProviderKeys = new Dictionary<string, Output<string>> { ["OPENAI_API_KEY"] = Output.CreateSecret(OpenAiKey) },
        Database = GatewayDatabase.Standalone(Output.CreateSecret(DbPassword)),
        Ingress = new GatewayIngress { Host = "litellm.example.com", ClusterIssuer = "letsencrypt-ionos-prod" },
        ImageTag = "main-v1.82.3-stable",
    };

    private static (StackContext Ctx, LiteLlmGateway Gateway) Build(LiteLlmGatewayArgs args, string name = "litellm")
    {
        LiteLlmGateway? gateway = null;
        var ctx = StackContext.Run("llm-platform", "homelab", _ => gateway = new LiteLlmGateway(name, args));
        return (ctx, gateway!);
    }

    [Fact]
    public void The_fleet_config_carries_seed_000s_model_list_routing_and_limits()
    {
        var (_, gateway) = Build(Seed000);
        var expected = JsonNode.Parse("""
            {
              "model_list": [
                { "model_name": "gemma4:e4b", "litellm_params": { "model": "openai/gemma4:e4b", "api_base": "http://ollama.ollama.svc.cluster.local:11434/v1", "api_key": "none", "rpm": 60 } },
                { "model_name": "gemma4:e4b", "litellm_params": { "model": "openai/gemma4:e4b", "api_base": "http://ollama-bosgame.ollama.svc.cluster.local:11434/v1", "api_key": "none", "rpm": 60 } },
                { "model_name": "gpt-5.5", "litellm_params": { "model": "openai/gpt-5.5", "api_base": "https://api.openai.com/v1", "api_key": "os.environ/OPENAI_API_KEY", "rpm": 120 } },
                { "model_name": "gpt-5.4-mini", "litellm_params": { "model": "openai/gpt-5.4-mini", "api_base": "https://api.openai.com/v1", "api_key": "os.environ/OPENAI_API_KEY", "rpm": 180 } }
              ],
              "router_settings": { "routing_strategy": "usage-based-routing", "num_retries": 2, "timeout": 600 },
              "litellm_settings": { "drop_params": true, "request_timeout": 600, "callbacks": ["prometheus"] },
              "general_settings": { "master_key": "os.environ/PROXY_MASTER_KEY" }
            }
            """);
        Assert.True(JsonNode.DeepEquals(expected, gateway.Config.ToJson()), gateway.Config.ToJson().ToJsonString());
        // The chart gets exactly this config, and its valuesContent carries it as YAML.
        Assert.True(JsonNode.DeepEquals(expected, gateway.Release.Args.Values["proxy_config"]));
        Assert.Contains("routing_strategy: usage-based-routing", gateway.Release.Chart.Object.Spec.ValuesContent);
        Assert.Contains("master_key: os.environ/PROXY_MASTER_KEY", gateway.Config.ToYaml());
    }

    [Fact]
    public void The_chart_is_litellm_helm_pinned_and_every_values_key_exists_upstream()
    {
        var (_, gateway) = Build(Seed000);
        var spec = gateway.Release.Chart.Object.Spec;
        Assert.Equal(("oci://ghcr.io/berriai/litellm-helm", null, "1.1.0", "ollama"), (spec.Chart, spec.Repo, spec.Version, spec.TargetNamespace));
        // proxy_config is LiteLLM's config.yaml, rendered verbatim by the chart; its schema is LiteLLM's, checked above.
        ChartValues.AssertKeysExist("litellm-helm", gateway.Release.Args.Values, "proxy_config");
        var values = gateway.Release.Args.Values;
        Assert.Equal("litellm-masterkey", values["masterkeySecretName"]!.GetValue<string>());
        Assert.Equal("masterkey", values["masterkeySecretKey"]!.GetValue<string>());
        Assert.Equal("litellm-env", values["environmentSecrets"]![0]!.GetValue<string>());
        Assert.True(values["db"]!["deployStandalone"]!.GetValue<bool>());
    }

    [Fact]
    public void The_Ingress_gets_its_certificate_from_the_cluster_issuer_annotation()
    {
        var (_, gateway) = Build(Seed000);
        var ingress = gateway.Release.Args.Values["ingress"]!;
        Assert.True(ingress["enabled"]!.GetValue<bool>());
        Assert.Equal("traefik", ingress["className"]!.GetValue<string>());
        Assert.Equal("letsencrypt-ionos-prod", ingress["annotations"]!["cert-manager.io/cluster-issuer"]!.GetValue<string>());
        Assert.Equal("litellm.example.com", ingress["hosts"]![0]!["host"]!.GetValue<string>());
        Assert.Equal("litellm-tls", ingress["tls"]![0]!["secretName"]!.GetValue<string>());
        Assert.Equal("litellm.example.com", ingress["tls"]![0]!["hosts"]![0]!.GetValue<string>());
        Assert.Equal("https://litellm.example.com", gateway.Url);
    }

    [Fact]
    public void No_secret_value_appears_in_plain_text_and_each_Secret_holds_it_wrapped()
    {
        var (ctx, gateway) = Build(Seed000);
        SecretScan.AssertNoPlainText(ctx, MasterKey, OpenAiKey, DbPassword);

        var byName = gateway.Secrets.ToDictionary(s => s.Object.Metadata.Name);
        Assert.Equal(["litellm-env", "litellm-masterkey", "litellm-values"], byName.Keys.Order());
        var master = ctx.ResolveOutputs(byName["litellm-masterkey"].Inputs["stringData"]!["masterkey"], NoOutputsKnown.Instance);
        Assert.True(PropertyValues.IsSecret(master));
        Assert.Equal(MasterKey, PropertyValues.Unwrap(master)!.GetValue<string>());
        Assert.Equal("ollama", byName["litellm-masterkey"].Object.Metadata.NamespaceProperty);

        // The bundled PostgreSQL's password reaches the chart as a values file in a Secret beside the HelmChart.
        var values = byName["litellm-values"];
        Assert.Equal("kube-system", values.Object.Metadata.NamespaceProperty);
        var file = PropertyValues.Unwrap(ctx.ResolveOutputs(values.Inputs["stringData"]!["database.yaml"], NoOutputsKnown.Instance))!.GetValue<string>();
        Assert.Equal(DbPassword, JsonNode.Parse(file)!["postgresql"]!["auth"]!["password"]!.GetValue<string>());
        var valuesSecret = Assert.Single(gateway.Release.Chart.Object.Spec.ValuesSecrets!);
        Assert.Equal(("litellm-values", "database.yaml"), (valuesSecret.Name, Assert.Single(valuesSecret.Keys)));
        ChartValues.AssertKeysExist("litellm-helm", JsonNode.Parse(file)!.AsObject());
    }

    [Fact]
    public void An_external_database_URL_is_read_from_the_environment_Secret()
    {
        var (ctx, gateway) = Build(Seed000 with { Database = GatewayDatabase.External(Output.CreateSecret("postgresql://u:p@db:5432/litellm")) });
        Assert.Equal("os.environ/DATABASE_URL", gateway.Config.GeneralSettings.ToJson()["database_url"]!.GetValue<string>());
        var db = gateway.Release.Args.Values["db"]!;
        Assert.False(db["deployStandalone"]!.GetValue<bool>());
        Assert.False(gateway.Release.Args.Values["migrationJob"]!["enabled"]!.GetValue<bool>());
        var env = gateway.Secrets.Single(s => s.Object.Metadata.Name == "litellm-env");
        Assert.Equal(["DATABASE_URL", "OPENAI_API_KEY"], env.Inputs["stringData"]!.AsObject().Select(kv => kv.Key));
        SecretScan.AssertNoPlainText(ctx, "postgresql://u:p@db:5432/litellm", MasterKey, OpenAiKey);
    }

    [Fact]
    public void The_homelab_aliases_point_at_the_active_lane()
    {
        LiteLlmGateway? gateway = null;
        StackContext.Run("llm-platform", "homelab", _ =>
        {
            var fast = Lane("qwen36-35b-gguf-fast", "qwen36-35b-gguf-fast", active: true);
            var deep = Lane("qwen36-27b-deep", "qwen36-27b-deep", active: false);
            var agent = Lane("gpt-oss-agent", "gpt-oss-agent", active: false);
            gateway = new LiteLlmGateway("litellm", new LiteLlmGatewayArgs
            {
                MasterKey = Output.CreateSecret(MasterKey),
                Aliases =
                [
                    ModelAlias.ToActiveLane("fast", fast),
                    ModelAlias.ToActiveLane("chat", fast, deep),
                    ModelAlias.ToActiveLane("agent", agent, fast),
                ],
                Router = new RouterSettings { RoutingStrategy = RoutingStrategy.SimpleShuffle, Fallbacks = new Dictionary<string, IReadOnlyList<string>> { ["agent"] = ["chat"] } },
            });
        });
        var list = gateway!.Config.ToJson()["model_list"]!.AsArray();
        Assert.Equal(["fast", "chat", "agent"], list.Select(m => m!["model_name"]!.GetValue<string>()));
        Assert.All(list, m =>
        {
            Assert.Equal("http://qwen36-35b-gguf-fast.llm.svc.cluster.local:8080/v1", m!["litellm_params"]!["api_base"]!.GetValue<string>());
            Assert.Equal("openai/qwen36-35b-gguf-fast", m["litellm_params"]!["model"]!.GetValue<string>());
        });
        var router = gateway.Config.RouterSettings.ToJson();
        Assert.Equal("simple-shuffle", router["routing_strategy"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"agent":["chat"]}]"""), router["fallbacks"]));
        Assert.Null(gateway.Release.Args.Values["environmentSecrets"]);
    }

    [Fact]
    public void An_alias_with_no_active_lane_is_refused_by_name()
    {
        var ex = Assert.Throws<ArgumentException>(() => StackContext.Run("p", "s", _ =>
            ModelAlias.ToActiveLane("agent", Lane("gpt-oss-agent", "gpt-oss-agent", active: false))));
        Assert.Contains("alias 'agent': none of its lanes (gpt-oss-agent) is active", ex.Message);
    }

    [Fact]
    public void Bad_gateway_arguments_are_all_reported_at_once()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(Seed000 with
        {
            Namespace = "Bad NS",
            Fleets = [new ModelFleet { ModelName = "gpt-5.5", Endpoints = ["ollama:11434", "ollama:11434"], Rpm = 0 }],
            ExternalModels = [new ExternalModel { ModelName = "claude", Model = "claude", ApiBase = "https://api.anthropic.com", ApiKeyEnv = "ANTHROPIC_API_KEY" }],
            ProviderKeys = new Dictionary<string, Output<string>> { ["PROXY_MASTER_KEY"] = Output.CreateSecret("x") },
            Router = new RouterSettings { Fallbacks = new Dictionary<string, IReadOnlyList<string>> { ["gpt-5.5"] = ["missing"] } },
            Ingress = new GatewayIngress { Host = "not a host", ClusterIssuer = "" },
            ImageTag = "latest",
        }));
        foreach (var expected in new[]
        {
            "namespace: 'Bad NS' is not a valid DNS-1123 label",
            "fleets[0].endpoints: 'ollama:11434' is not an http(s) URL",
            "fleets[0].endpoints: 'ollama:11434' is listed twice",
            "fleets[0].rpm: 0 must be positive",
            "externalModels[0].model: 'claude' has no provider prefix",
            "externalModels[0].apiKeyEnv: 'ANTHROPIC_API_KEY' is not in providerKeys",
            "providerKeys: 'PROXY_MASTER_KEY' is set by the gateway itself",
            "router.fallbacks: 'missing' is not a model the gateway serves",
            "ingress.host: 'not a host' is not a DNS host name",
            "ingress.clusterIssuer",
            "imageTag: pin a tag",
        })
        {
            Assert.Contains(expected, ex.Message);
        }
    }

    [Fact]
    public void A_gateway_that_serves_nothing_or_reuses_a_model_name_is_refused()
    {
        var empty = Assert.Throws<ComponentArgumentException>(() => Build(new LiteLlmGatewayArgs { MasterKey = Output.CreateSecret(MasterKey) }));
        Assert.Contains("the gateway serves nothing", empty.Message);
        var twice = Assert.Throws<ComponentArgumentException>(() => Build(Seed000 with
        {
            Aliases = [new ModelAlias { Name = "gpt-5.5", ApiBase = "http://x.llm.svc.cluster.local:8080/v1", ServedModel = "x" }],
        }));
        Assert.Contains("'gpt-5.5' is used twice", twice.Message);
    }

    private static LlamaCppLane Lane(string name, string alias, bool active) => new(name, new LlamaCppLaneArgs
    {
        Namespace = "llm",
        Image = ImageRef.Parse("ghcr.io/ggml-org/llama.cpp:server-cuda@sha256:1111111111111111111111111111111111111111111111111111111111111111"),
        ModelFile = $"{name}.gguf",
        Alias = alias,
        CtxSize = 32768,
        Active = active,
    });

    [Fact]
    public void An_operator_created_master_key_Secret_is_referenced_and_no_key_Secret_is_written()
    {
        var (ctx, gateway) = Build(Seed000 with { MasterKey = null, MasterKeySecret = new ExistingSecretKey("litellm-masterkey", "masterkey") });
        var values = gateway.Release.Args.Values;
        Assert.Equal("litellm-masterkey", values["masterkeySecretName"]!.GetValue<string>());
        Assert.Equal("masterkey", values["masterkeySecretKey"]!.GetValue<string>());
        Assert.DoesNotContain(ctx.Resources, r => r.Name == "litellm-masterkey" && r.Type == "kubernetes:core/v1:Secret");
    }

    [Fact]
    public void Giving_both_a_master_key_and_a_master_key_Secret_is_refused()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(Seed000 with { MasterKeySecret = new ExistingSecretKey("x", "k") }));
        Assert.Contains("give either masterKey or masterKeySecret, not both", ex.Message);
        var none = Assert.Throws<ComponentArgumentException>(() => Build(Seed000 with { MasterKey = null }));
        Assert.Contains("masterKey: give the master key from secret configuration", none.Message);
    }
}
