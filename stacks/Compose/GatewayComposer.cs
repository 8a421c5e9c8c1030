using Llmctl.Components.Gateway;
using Llmctl.Engine.Model;
using Llmctl.Stacks.Config;

namespace Llmctl.Stacks.Compose;

/// <summary>
/// The LiteLLM gateway: each alias follows the active one of its llama.cpp lanes (<see cref="ModelAlias.ToActiveLane"/>).
/// The master key is the operator's Secret (<c>gateway.masterKeySecret</c>) or the secret <c>litellmMasterKey</c>.
/// </summary>
public static class GatewayComposer
{
    public const string Name = "litellm";
    public const string MasterKeySecret = "litellmMasterKey";

    public static LiteLlmGateway? Compose(StackContext ctx, StackConfig config, LaneLayer lanes, StackSecrets secrets)
    {
        if (config.Gateway is not { } gateway) return null;
        var key = (string path) => $"{ctx.ProjectName}:{path}";

        var byName = lanes.LlamaCpp.ToDictionary(l => l.Name, StringComparer.Ordinal);
        var aliases = new List<ModelAlias>();
        for (var i = 0; i < gateway.Aliases.Count; i++)
        {
            var alias = gateway.Aliases[i];
            var at = key($"gateway.aliases[{i}].lanes");
            var targets = alias.Lanes.Select(name => byName.TryGetValue(name, out var lane) ? lane
                : throw new StackCompositionException(at, $"alias '{alias.Name}' names lane '{name}', which is not a llamacpp lane; use one of: {string.Join(", ", byName.Keys)}")).ToList();
            try
            {
                aliases.Add(ModelAlias.ToActiveLane(alias.Name, targets) with { Rpm = alias.Rpm });
            }
            catch (ArgumentException ex)
            {
                throw new StackCompositionException(at, ex.Message.Split(" (Parameter", 2)[0]);
            }
        }

        var args = new LiteLlmGatewayArgs
        {
            Namespace = gateway.Namespace,
            Aliases = aliases,
            ImageTag = gateway.ImageTag,
            MasterKeySecret = gateway.MasterKeySecret is { } existing ? new ExistingSecretKey(existing.Name, existing.Key) : null,
            MasterKey = gateway.MasterKeySecret is null
                ? secrets.Require(ctx.ProjectName, MasterKeySecret, "the gateway's master key (or set gateway.masterKeySecret to a Secret you create)")
                : null,
        };
        return new LiteLlmGateway(Name, args);
    }
}
