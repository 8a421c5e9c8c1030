using Llmctl.Components.Cluster;
using Llmctl.Components.Gateway;
using Llmctl.Engine.Model;
using Llmctl.Stacks.Config;

namespace Llmctl.Stacks.Compose;

/// <summary>
/// The LiteLLM gateway: each alias follows the active one of its llama.cpp and vLLM lanes (the gateway carries the
/// <see cref="AliasRoutes"/> the alias-backends policy checks);
/// each fleet is one <c>model_list</c> entry per node of its Ollama lane; external models reference their provider key
/// as <c>os.environ/NAME</c>, the keys themselves going to a Secret. The master key is the operator's Secret
/// (<c>gateway.masterKeySecret</c>), the secure value <c>gateway.masterKey</c>, or the secret <c>litellmMasterKey</c>.
/// </summary>
public static class GatewayComposer
{
    public const string Name = "litellm";
    public const string MasterKeySecret = "litellmMasterKey";

    public static LiteLlmGateway? Compose(StackContext ctx, StackConfig config, LaneLayer lanes, StackSecrets secrets, CertificatesLayer? certificates = null)
    {
        if (config.Gateway is not { } gateway) return null;
        var key = (string path) => $"{ctx.ProjectName}:{path}";

        // An alias may name llama.cpp and vLLM lanes (seed 002's rollback lane is vLLM). It points at the active one;
        // when none or several are active it still composes (on the first active, else the first listed) so the
        // alias-backends policy can name the stranded or ambiguous alias instead of the stack failing to load.
        var backends = lanes.LlamaCpp.Select(l => (l.Name, l.Args.Active, l.Endpoint, Served: l.Alias))
            .Concat(lanes.Vllm.Select(l => (l.Name, l.Args.Active, l.Endpoint, Served: l.ServedModelName)))
            .ToDictionary(l => l.Name, StringComparer.Ordinal);
        var aliases = new List<ModelAlias>();
        var routes = new List<AliasRoute>();
        for (var i = 0; i < gateway.Aliases.Count; i++)
        {
            var alias = gateway.Aliases[i];
            var at = key($"gateway.aliases[{i}].lanes");
            if (alias.Lanes.Count == 0) throw new StackCompositionException(at, $"alias '{alias.Name}' names no lanes; list the lanes that can serve it");
            var targets = alias.Lanes.Select(name => backends.TryGetValue(name, out var lane) ? lane
                : throw new StackCompositionException(at, $"alias '{alias.Name}' names lane '{name}', which is not a llamacpp or vllm lane; use one of: {string.Join(", ", backends.Keys)}")).ToList();
            var target = targets.FirstOrDefault(t => t.Active);
            if (target.Name is null) target = targets[0];
            aliases.Add(new ModelAlias { Name = alias.Name, ApiBase = target.Endpoint, ServedModel = target.Served, Rpm = alias.Rpm });
            routes.Add(new AliasRoute(alias.Name, alias.Lanes));
        }

        var ollama = lanes.Ollama.ToDictionary(l => l.Name, StringComparer.Ordinal);
        var fleets = new List<ModelFleet>();
        for (var i = 0; i < gateway.Fleets.Count; i++)
        {
            var fleet = gateway.Fleets[i];
            if (!ollama.TryGetValue(fleet.Lane, out var lane))
            {
                throw new StackCompositionException(key($"gateway.fleets[{i}].lane"),
                    $"fleet '{fleet.Name}' names lane '{fleet.Lane}', which is not an ollama lane; use one of: {string.Join(", ", ollama.Keys)}");
            }
            var served = fleet.ServedModel ?? fleet.Name;
            if (!lane.Args.Pull.Contains(served, StringComparer.Ordinal))
            {
                throw new StackCompositionException(key($"gateway.fleets[{i}]"),
                    $"fleet '{fleet.Name}' serves '{served}', which lane '{lane.Name}' does not pull; add it to the lane's pull list");
            }
            fleets.Add(new ModelFleet
            {
                ModelName = fleet.Name,
                ServedModel = fleet.ServedModel,
                Endpoints = lane.Endpoints.Select(e => e.Url).ToList(),
                Rpm = fleet.Rpm,
                Tpm = fleet.Tpm,
            });
        }

        var external = new List<ExternalModel>();
        for (var i = 0; i < gateway.External.Count; i++)
        {
            var e = gateway.External[i];
            if (!gateway.ProviderKeys.ContainsKey(e.ApiKeyEnv))
            {
                throw new StackCompositionException(key($"gateway.external[{i}].apiKeyEnv"),
                    $"external model '{e.Name}' reads its key from {e.ApiKeyEnv}, which is not in gateway.providerKeys; set it with `llmctl config set --secret --path gateway.providerKeys.{e.ApiKeyEnv} <key>`");
            }
            external.Add(new ExternalModel { ModelName = e.Name, Model = e.Model, ApiBase = e.ApiBase, ApiKeyEnv = e.ApiKeyEnv, Rpm = e.Rpm, Tpm = e.Tpm });
        }

        GatewayIngress? ingress = null;
        if (gateway.Ingress is { } i2)
        {
            var issuer = i2.ClusterIssuer ?? certificates?.IssuerName ?? throw new StackCompositionException(key("gateway.ingress.clusterIssuer"),
                "the gateway's Ingress needs a ClusterIssuer: add a certificates section or name an existing issuer in clusterIssuer");
            ingress = new GatewayIngress { Host = i2.Host, ClassName = i2.ClassName, ClusterIssuer = issuer };
        }

        var args = new LiteLlmGatewayArgs
        {
            Namespace = gateway.Namespace,
            Aliases = aliases,
            Fleets = fleets,
            ExternalModels = external,
            ProviderKeys = gateway.ProviderKeys,
            Router = new RouterSettings
            {
                RoutingStrategy = gateway.Router.RoutingStrategy,
                NumRetries = gateway.Router.NumRetries,
                Timeout = TimeSpan.FromSeconds(gateway.Router.Timeout),
            },
            Settings = new LiteLlmSettings
            {
                DropParams = gateway.Settings.DropParams,
                RequestTimeout = TimeSpan.FromSeconds(gateway.Settings.RequestTimeout),
            },
            Ingress = ingress,
            ImageTag = gateway.ImageTag,
            // Where the GPU nodes are the whole cluster and all tainted, the proxy and its Postgres must tolerate the taint.
            Tolerate = DeclaredNodes.SystemTolerations(ctx),
            MasterKeySecret = gateway.MasterKeySecret is { } existing ? new ExistingSecretKey(existing.Name, existing.Key) : null,
            // Both given is refused by the component (one rule, one place), reported at gateway.masterKeySecret.
            MasterKey = gateway.MasterKey is { } masterKey ? masterKey
                : gateway.MasterKeySecret is not null ? null
                : secrets.Require(ctx.ProjectName, MasterKeySecret, "the gateway's master key (or set gateway.masterKey, or gateway.masterKeySecret to a Secret you create)"),
        };
        var options = certificates is null ? null : new ComponentResourceOptions { DependsOn = [certificates.Issuer] };
        var composed = new LiteLlmGateway(Name, args, options);
        if (routes.Count > 0) composed.Annotate(new AliasRoutes(routes));
        return composed;
    }
}
