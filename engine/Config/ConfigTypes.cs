using YamlDotNet.RepresentationModel;

namespace Llmctl.Engine.Config;

/// <summary>Checks a YAML value against a project <c>config:</c> declaration's type.</summary>
internal static class ConfigTypes
{
    public static bool Matches(YamlNode node, ProjectConfigDeclaration declaration, out string got)
    {
        got = ProjectFile.Describe(node);
        if (declaration.Type is not { } type) return true;
        if (type == ConfigValueType.Array && node is YamlSequenceNode items && declaration.Items is { } itemDecl)
        {
            foreach (var item in items.Children)
            {
                if (!Matches(item, itemDecl, out var itemGot))
                {
                    got = $"an item {itemGot}";
                    return false;
                }
            }
            return true;
        }
        if (YamlJson.TryGetSecure(node, out _)) return type == ConfigValueType.String || !declaration.IsSchema;
        return type switch
        {
            ConfigValueType.String => node is YamlScalarNode,
            ConfigValueType.Integer => node is YamlScalarNode s && YamlJson.TryInteger(s.Value ?? "", out _),
            ConfigValueType.Boolean => node is YamlScalarNode s && YamlJson.TryBool(s.Value ?? "", out _),
            ConfigValueType.Object => node is YamlMappingNode,
            ConfigValueType.Array => node is YamlSequenceNode,
            _ => false,
        };
    }

    public static string Example(ConfigValueType type) => type switch
    {
        ConfigValueType.String => "write a text value such as homelab",
        ConfigValueType.Integer => "write a whole number such as 8080",
        ConfigValueType.Boolean => "write true or false",
        ConfigValueType.Array => "write a list such as [a, b]",
        _ => "write a mapping such as {key: value}",
    };
}
