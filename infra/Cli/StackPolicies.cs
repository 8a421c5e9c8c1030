using System.Text.Json.Nodes;
using Llmctl.Engine.Config;
using Llmctl.Engine.Policy;

namespace Llmctl.Infra.Cli;

/// <summary>
/// The stack's policy settings, <c>llmctl:policies</c> in its stack file: <c>all: advisory|mandatory|disabled</c> for
/// every policy, and per policy either a level (<c>node-budget: advisory</c>) or a map with <c>level</c> and the
/// policy's options (<c>maintenance-window: {allowCombinedChanges: true}</c>). A level or policy name that does not
/// exist is a configuration error (exit 2), never a silently ignored line.
/// </summary>
internal static class StackPolicies
{
    public const string Key = "llmctl:policies";

    /// <param name="fit">The lanes' VRAM estimates (<see cref="StackLaneFit"/>); vram-fit runs only with one.</param>
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
            throw new CliException(ExitCodes.ConfigOrUsage, $"{Where(stack)}{Key}.{ex.KeyPath}: {ex.Message}");
        }
    }

    public static PolicySettings Read(LoadedStack stack)
    {
        if (!stack.Config.TryGetValue(Key, out var value)) return PolicySettings.Default;
        var where = Where(stack);
        if (YamlJson.ToJsonNode(value.Node) is not JsonObject map)
        {
            throw new CliException(ExitCodes.ConfigOrUsage,
                $"{where}{Key}: must be a map of policy names to levels, e.g. {{all: mandatory, node-budget: advisory}}");
        }
        EnforcementLevel? all = null;
        var policies = new Dictionary<string, (EnforcementLevel?, JsonObject?)>(StringComparer.Ordinal);
        foreach (var (name, entry) in map)
        {
            if (name == PolicyRunner.AllPolicies)
            {
                all = Level(entry, $"{where}{Key}.{name}");
                continue;
            }
            switch (entry)
            {
                case JsonValue:
                    policies[name] = (Level(entry, $"{where}{Key}.{name}"), null);
                    break;
                case JsonObject settings:
                    var options = (JsonObject)settings.DeepClone();
                    EnforcementLevel? level = null;
                    if (options.Remove("level", out var levelNode)) level = Level(levelNode, $"{where}{Key}.{name}.level");
                    policies[name] = (level, options);
                    break;
                default:
                    throw new CliException(ExitCodes.ConfigOrUsage,
                        $"{where}{Key}.{name}: give a level (advisory, mandatory or disabled) or a map with 'level' and the policy's options");
            }
        }
        return new PolicySettings { All = all, Policies = policies };
    }

    private static EnforcementLevel Level(JsonNode? node, string at) =>
        node is JsonValue v && v.TryGetValue<string>(out var text) && Enum.TryParse<EnforcementLevel>(text, ignoreCase: true, out var level)
            && !int.TryParse(text, out _)
            ? level
            : throw new CliException(ExitCodes.ConfigOrUsage, $"{at}: '{node?.ToJsonString().Trim('"')}' is not an enforcement level; use advisory, mandatory or disabled");

    private static string Where(LoadedStack stack) => stack.DisplayPath(stack.StackFilePath) + ": ";
}
