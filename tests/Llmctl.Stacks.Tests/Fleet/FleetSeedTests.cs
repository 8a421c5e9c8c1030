using System.Text.Json.Nodes;
using Llmctl.Components.Certificates;
using Llmctl.Components.Gateway;
using Llmctl.Components.Gpu;
using Llmctl.Components.Models;
using Llmctl.Components.Observability;
using Llmctl.Engine.Config;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;
using Llmctl.Policies.Platform;
using Llmctl.Stacks.Config;
using Llmctl.Testing;

namespace Llmctl.Stacks.Tests.Fleet;

/// <summary>Pulumi.fleet.yaml against seed 000: Ollama per node, LiteLLM over both, DNS-01 certificates, AMD monitoring.</summary>
public sealed class FleetSeedTests
{
    private const string Passphrase = "llmctl-sample";
    /// <summary>The sample secure values stored in Pulumi.fleet.yaml (encrypted under <see cref="Passphrase"/>).</summary>
    private static readonly string[] SampleSecrets =
        ["ionos-sample-public-prefix", "ionos-sample-secret", "sk-llmctl-sample-master-key", "sk-openai-sample-not-a-key"];

    private static StackContext Compose()
    {
        return StackPipeline.Run(RepoFiles.Root, "fleet", environment: name => name == "PULUMI_CONFIG_PASSPHRASE" ? Passphrase : null);
    }

    private static JsonNode Entry(string name, string model, string apiBase, string apiKey, int rpm) => new JsonObject
    {
        ["model_name"] = name,
        ["litellm_params"] = new JsonObject { ["model"] = model, ["api_base"] = apiBase, ["api_key"] = apiKey, ["rpm"] = rpm },
    };

    [Fact]
    public void The_generated_litellm_config_carries_seed_000s_model_list_routing_and_limits()
    {
        var gateway = Assert.Single(Compose().Resources.OfType<LiteLlmGateway>());
        var config = gateway.Config.ToJson();

        JsonNode expectedModels = new JsonArray(
            Entry("gemma4:e4b", "openai/gemma4:e4b", "http://ollama.ollama.svc.cluster.local:11434/v1", "none", 60),
            Entry("gemma4:e4b", "openai/gemma4:e4b", "http://ollama-bosgame.ollama.svc.cluster.local:11434/v1", "none", 60),
            Entry("gpt-5.5", "openai/gpt-5.5", "https://api.openai.com/v1", "os.environ/OPENAI_API_KEY", 120),
            Entry("gpt-5.4-mini", "openai/gpt-5.4-mini", "https://api.openai.com/v1", "os.environ/OPENAI_API_KEY", 180));
        Assert.True(JsonNode.DeepEquals(expectedModels, config["model_list"]), config["model_list"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["routing_strategy"] = "usage-based-routing", ["num_retries"] = 2, ["timeout"] = 600 }, config["router_settings"]),
            config["router_settings"]!.ToJsonString());
        Assert.True(config["litellm_settings"]!["drop_params"]!.GetValue<bool>());
        Assert.Equal(600, config["litellm_settings"]!["request_timeout"]!.GetValue<long>());
        Assert.Equal("os.environ/PROXY_MASTER_KEY", config["general_settings"]!["master_key"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(config, gateway.Release.Args.Values["proxy_config"]));
    }

    [Fact]
    public void Ollama_runs_on_both_nodes_with_identical_values_but_the_node_selector_and_release_name()
    {
        var lane = Assert.Single(Compose().Resources.OfType<OllamaLane>());

        Assert.Equal(["node-a", "node-b"], lane.Args.Nodes);
        Assert.Equal(GpuVendor.Amd, lane.Args.Gpu);
        Assert.Equal(["gemma4:e4b"], lane.Args.Pull);
        var a = (JsonObject)lane.Releases["node-a"].Args.Values.DeepClone();
        var b = (JsonObject)lane.Releases["node-b"].Args.Values.DeepClone();
        Assert.Equal("node-a", a["nodeSelector"]![GpuLabels.Hostname]!.GetValue<string>());
        Assert.Equal("node-b", b["nodeSelector"]![GpuLabels.Hostname]!.GetValue<string>());
        Assert.Equal("ollama", a["fullnameOverride"]!.GetValue<string>());
        Assert.Equal("ollama-bosgame", b["fullnameOverride"]!.GetValue<string>());
        foreach (var values in new[] { a, b })
        {
            values["nodeSelector"]!.AsObject().Remove(GpuLabels.Hostname);
            values.Remove("fullnameOverride");
        }
        Assert.True(JsonNode.DeepEquals(a, b), $"{a.ToJsonString()}\n{b.ToJsonString()}");
        Assert.Equal("amd", a["ollama"]!["gpu"]!["type"]!.GetValue<string>());
        Assert.Equal("rocm@sha256:c2d5755f1cc3777d2616014516dfe08fa9da214add9fe76f399ffd6a45661f1a", a["image"]!["tag"]!.GetValue<string>());
        Assert.Equal("120Gi", a["persistentVolume"]!["size"]!.GetValue<string>());
    }

    [Fact]
    public void No_secret_value_appears_in_plain_text_in_any_resource_input_but_a_secrets_own()
    {
        var resources = Compose().Resources.OfType<CustomResource>().ToList();

        foreach (var resource in resources.Where(r => r.Type != "kubernetes:core/v1:Secret"))
        {
            var revealed = PropertyValues.Reveal(resource.Inputs)!.ToJsonString();
            Assert.All(SampleSecrets, s => Assert.DoesNotContain(s, revealed, StringComparison.Ordinal));
        }
        // The values reach the Secrets' stringData as deferred secret outputs, resolved only when applied.
        var stringData = resources.Where(r => r.Type == "kubernetes:core/v1:Secret")
            .ToDictionary(r => r.Name, r => r.Inputs["stringData"]!.AsObject().Select(kv => kv.Key).ToArray());
        Assert.Equal(["IONOS_PUBLIC_PREFIX", "IONOS_SECRET"], stringData["letsencrypt-ionos-prod-ionos-secret"]);
        Assert.Equal(["masterkey"], stringData["litellm-masterkey"]);
        Assert.Equal(["OPENAI_API_KEY"], stringData["litellm-env"]);
    }

    [Fact]
    public void The_cluster_issuer_solves_dns01_with_the_ionos_webhook_and_the_gateway_ingress_names_it()
    {
        var ctx = Compose();

        var issuer = Assert.Single(ctx.Resources.OfType<Dns01ClusterIssuer>());
        Assert.Equal("letsencrypt-ionos-prod", issuer.Name);
        var acme = issuer.Issuer.Object.Spec.Acme!;
        Assert.Equal(Dns01ClusterIssuer.ProductionServer, acme.Server);
        Assert.Equal("letsencrypt-ionos-prod-account-key", acme.PrivateKeySecretRef.Name);
        var webhook = Assert.Single(acme.Solvers!).Dns01!.Webhook!;
        var installed = Assert.Single(ctx.Resources.OfType<IonosDnsWebhook>());
        Assert.Equal(installed.Args.GroupName, webhook.GroupName);
        Assert.Equal("acme.fabmade.de", webhook.GroupName);
        Assert.Equal(IonosDnsWebhook.SolverName, webhook.SolverName);
        Assert.Equal(IonosDnsWebhook.ApiUrl, webhook.Config!["apiUrl"]!.GetValue<string>());
        Assert.Equal("ionos-secret", webhook.Config["secretKeySecretRef"]!["name"]!.GetValue<string>());
        Assert.Single(ctx.Resources.OfType<CertManager>());
        var gateway = Assert.Single(ctx.Resources.OfType<LiteLlmGateway>());
        Assert.Equal("letsencrypt-ionos-prod", gateway.Release.Args.Values["ingress"]!["annotations"]!["cert-manager.io/cluster-issuer"]!.GetValue<string>());
    }

    [Fact]
    public void Observability_watches_the_amd_gpus_and_the_gateway()
    {
        var ctx = Compose();

        Assert.Single(ctx.Resources.OfType<KubePrometheusStack>());
        Assert.Single(ctx.Resources.OfType<AmdMetricsExporter>());
        Assert.Empty(ctx.Resources.OfType<DcgmExporter>());
        Assert.Single(ctx.Resources.OfType<LiteLlmServiceMonitor>());
        Assert.Equal(GpuVendor.Amd, Assert.Single(ctx.Resources.OfType<PlatformAlerts>()).Args.Vendor);
        Assert.Single(ctx.Resources.OfType<AmdGpuPlugin>());
    }

    [Fact]
    public void The_platform_policies_report_no_mandatory_violation()
    {
        var violations = new PolicyRunner([new LlmctlPlatformPack()]).Run(Compose());

        Assert.DoesNotContain(violations, v => v.Enforcement == EnforcementLevel.Mandatory);
    }

    [Fact]
    public void No_DCGM_rule_or_dashboard_on_a_stack_without_NVIDIA_nodes_and_the_AMD_ones_instead()
    {
        var ctx = Compose();

        var rules = ctx.Resources.OfType<PlatformAlerts>().SelectMany(a => a.Rule.Object.Spec.Groups).SelectMany(g => g.Rules).ToList();
        Assert.DoesNotContain(rules, r => r.Expr.Contains("DCGM_", StringComparison.Ordinal));
        Assert.Contains(rules, r => r.Expr == "absent(gpu_gfx_activity)");
        var dashboards = Assert.Single(ctx.Resources.OfType<GrafanaDashboards>()).ConfigMaps
            .SelectMany(c => c.Object.Data.Values).ToList();
        Assert.DoesNotContain(dashboards, d => d.Contains("DCGM_", StringComparison.Ordinal));
        Assert.Contains(dashboards, d => d.Contains("gpu_gfx_activity", StringComparison.Ordinal));
    }

    [Fact]
    public void The_fleet_nodes_are_the_whole_cluster_and_carry_no_GPU_taint()
    {
        var ctx = Compose();

        Assert.All(ctx.Resources.OfType<GpuNode>(), n => Assert.Empty(n.Taints));
        var nodes = Llmctl.Components.Cluster.DeclaredNodes.From(ctx);
        Assert.True(nodes.Complete);
        Assert.Equal(["node-a", "node-b"], nodes.Nodes.Select(n => n.Name));
    }
}
