using System.Text.Json.Nodes;
using Llmctl.Engine.Config;
using Llmctl.Engine.Policy;

namespace Llmctl.Stacks;

/// <summary>
/// The stack's policy settings, <c>llmctl:policies</c> in its stack file: <c>all: advisory|mandatory|disabled</c> for
/// every policy, and per policy either a level (<c>node-budget: advisory</c>) or a map with <c>level</c> and the
/// policy's options (<c>maintenance-window: {allowCombinedChanges: true}</c>). A level or policy name that does not
/// exist is a configuration error (exit 2), never a silently ignored line.
/// </summary>
public static class StackPolicies
{
    public const string Key = "llmctl:policies";

    /// <param name="fit">The lanes' VRAM estimates; vram-fit runs only with one.</param>
    public static IReadOnlyList<PolicyPack> Packs(Policies.Platform.ILaneFitSource? fit = null) => [new Policies.Platform.LlmctlPlatformPack(fit)];

    public static PolicyRunner Runner(LoadedStack stack, Policies.Platform.ILaneFitSource? fit = null)
    {
        var settings = Read(stack);
        try
        {
            return new PolicyRunner(Packs(fit), settings);
        }
        catch (PolicySettingsException ex)
        {
            throw Invalid(stack, $"{Key}.{ex.KeyPath}", ex.Message);
        }
    }

    public static PolicySettings Read(LoadedStack stack)
    {
        if (!stack.Config.TryGetValue(Key, out var value)) return PolicySettings.Default;
        if (YamlJson.ToJsonNode(value.Node) is not JsonObject map)
        {
            throw Invalid(stack, Key, "must be a map of policy names to levels; write e.g. {all: mandatory, node-budget: advisory}");
        }
        EnforcementLevel? all = null;
        var policies = new Dictionary<string, (EnforcementLevel?, JsonObject?)>(StringComparer.Ordinal);
        foreach (var (name, entry) in map)
        {
            if (name == PolicyRunner.AllPolicies)
            {
                all = Level(stack, entry, $"{Key}.{name}");
                continue;
            }
            switch (entry)
            {
                case JsonValue:
                    policies[name] = (Level(stack, entry, $"{Key}.{name}"), null);
                    break;
                case JsonObject settings:
                    var options = (JsonObject)settings.DeepClone();
                    EnforcementLevel? level = null;
                    if (options.Remove("level", out var levelNode)) level = Level(stack, levelNode, $"{Key}.{name}.level");
                    policies[name] = (level, options);
                    break;
                default:
                    throw Invalid(stack, $"{Key}.{name}", "is neither a level nor a map; give a level (advisory, mandatory or disabled) or a map with 'level' and the policy's options");
            }
        }
        return new PolicySettings { All = all, Policies = policies };
    }

    private static EnforcementLevel Level(LoadedStack stack, JsonNode? node, string at) =>
        node is JsonValue v && v.TryGetValue<string>(out var text) && Enum.TryParse<EnforcementLevel>(text, ignoreCase: true, out var level)
            && !int.TryParse(text, out _)
            ? level
            : throw Invalid(stack, at, $"'{node?.ToJsonString().Trim('"')}' is not an enforcement level; use advisory, mandatory or disabled");

    /// <summary>A settings mistake at the value it names: exit 2, file:line:column, what to write.</summary>
    private static ConfigException Invalid(LoadedStack stack, string keyPath, string problem) =>
        new([StackPipeline.Locate(stack, new CompositionProblem(keyPath, problem))]);
}
