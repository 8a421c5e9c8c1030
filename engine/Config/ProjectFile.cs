using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Engine.Config;

/// <summary>The types a project <c>config:</c> declaration may name.</summary>
public enum ConfigValueType
{
    String,
    Integer,
    Boolean,
    Array,
    Object,
}

/// <summary>
/// One key of the project file's <c>config:</c> block: a plain value, a <c>{value: …}</c> wrapper, or a schema
/// <c>{type, default, secret, description, items}</c>.
/// </summary>
public sealed record ProjectConfigDeclaration(string Key, YamlNode Node)
{
    /// <summary>The declared type, for a schema declaration.</summary>
    public ConfigValueType? Type { get; init; }
    /// <summary>The value (plain or <c>value:</c>) or the schema's <c>default</c>; null when there is none.</summary>
    public YamlNode? Value { get; init; }
    public bool Secret { get; init; }
    public string? Description { get; init; }
    /// <summary>The item declaration of an <c>array</c>.</summary>
    public ProjectConfigDeclaration? Items { get; init; }
    public bool IsSchema => Type is not null;
}

/// <summary>
/// <c>Pulumi.yaml</c>: the project's name, runtime and project-level config (pulumi/docs
/// <c>content/docs/iac/concepts/projects/project-file.md</c>).
/// </summary>
public sealed partial record ProjectFile
{
    private static readonly string[] KnownAttributes =
        ["name", "runtime", "description", "backend", "stackConfigDir", "config", "main", "options", "template", "plugins", "packages"];
    private static readonly string[] SchemaAttributes = ["type", "default", "secret", "description", "items"];

    public required string Name { get; init; }
    public required string Runtime { get; init; }
    public IReadOnlyDictionary<string, string> RuntimeOptions { get; init; } = new Dictionary<string, string>();
    public string? Description { get; init; }
    public string? BackendUrl { get; init; }
    public string? StackConfigDir { get; init; }
    public string? Main { get; init; }
    /// <summary>Declarations by key as written (bare for project keys, <c>ns:key</c> for provider keys).</summary>
    public IReadOnlyDictionary<string, ProjectConfigDeclaration> Config { get; init; } =
        new Dictionary<string, ProjectConfigDeclaration>();

    /// <summary>Parses the text; every problem goes to <paramref name="diagnostics"/> and a best-effort file comes back.</summary>
    public static ProjectFile Parse(string text, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        var root = YamlDocumentReader.Read(text, diagnostics);
        if (root is null)
        {
            if (!diagnostics.HasErrors) diagnostics.Add(null, "", "the project file is empty", "add at least 'name:' and 'runtime:'");
            return new ProjectFile { Name = "", Runtime = "" };
        }
        if (root is not YamlMappingNode map)
        {
            diagnostics.Add(root, "", "the project file must be a mapping of attributes (name:, runtime:, …)");
            return new ProjectFile { Name = "", Runtime = "" };
        }

        string? name = null, runtime = null, description = null, backend = null, stackConfigDir = null, main = null;
        var runtimeOptions = new Dictionary<string, string>();
        var config = new Dictionary<string, ProjectConfigDeclaration>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            var key = YamlJson.KeyText(keyNode);
            switch (key)
            {
                case "name":
                    name = Scalar(value, key, diagnostics);
                    if (name is not null && !NamePattern().IsMatch(name))
                    {
                        diagnostics.Add(value, key, $"'{name}' is not a valid project name",
                            "use only letters, digits, '-', '_' and '.'");
                    }
                    break;
                case "runtime":
                    runtime = ParseRuntime(value, runtimeOptions, diagnostics);
                    break;
                case "description":
                    description = Scalar(value, key, diagnostics);
                    break;
                case "main":
                    main = Scalar(value, key, diagnostics);
                    break;
                case "stackConfigDir":
                    stackConfigDir = Scalar(value, key, diagnostics);
                    break;
                case "backend":
                    backend = ParseBackend(value, diagnostics);
                    break;
                case "config":
                    ParseConfig(value, config, diagnostics);
                    break;
                case "options" or "template" or "plugins" or "packages":
                    break; // Pulumi's attributes that llmctl does not use; tolerated so a Pulumi project loads as is.
                default:
                    diagnostics.Add(keyNode, key, $"unknown project attribute '{key}'",
                        Suggest.DidYouMean(key, KnownAttributes) ?? "known attributes: " + string.Join(", ", KnownAttributes));
                    break;
            }
        }
        if (name is null && !map.Children.Keys.Any(k => YamlJson.KeyText(k) == "name"))
            diagnostics.Add(map, "name", "the project file has no 'name'", "add 'name: <project-name>'");
        if (runtime is null && !map.Children.Keys.Any(k => YamlJson.KeyText(k) == "runtime"))
            diagnostics.Add(map, "runtime", "the project file has no 'runtime'", "add 'runtime: dotnet'");

        return new ProjectFile
        {
            Name = name ?? "",
            Runtime = runtime ?? "",
            RuntimeOptions = runtimeOptions,
            Description = description,
            BackendUrl = backend,
            StackConfigDir = stackConfigDir,
            Main = main,
            Config = config,
        };
    }

    private static string? Scalar(YamlNode node, string keyPath, DiagnosticBag diagnostics)
    {
        if (node is YamlScalarNode s) return s.Value ?? "";
        diagnostics.Add(node, keyPath, $"expected a single value, got {Describe(node)}");
        return null;
    }

    private static string? ParseRuntime(YamlNode node, Dictionary<string, string> options, DiagnosticBag diagnostics)
    {
        if (node is YamlScalarNode s) return s.Value;
        if (node is not YamlMappingNode m)
        {
            diagnostics.Add(node, "runtime", $"expected a runtime name or {{name, options}}, got {Describe(node)}");
            return null;
        }
        string? name = null;
        foreach (var (k, v) in m.Children)
        {
            var key = YamlJson.KeyText(k);
            if (key == "name") name = Scalar(v, "runtime.name", diagnostics);
            else if (key == "options")
            {
                if (v is YamlMappingNode opts)
                {
                    foreach (var (ok, ov) in opts.Children)
                    {
                        options[YamlJson.KeyText(ok)] = ov is YamlScalarNode os ? os.Value ?? "" : ov.ToString();
                    }
                }
                else diagnostics.Add(v, "runtime.options", $"expected a mapping, got {Describe(v)}");
            }
            else diagnostics.Add(k, "runtime." + key, $"unknown runtime attribute '{key}'", "runtime takes 'name' and 'options'");
        }
        if (name is null) diagnostics.Add(m, "runtime.name", "the runtime has no 'name'", "add 'name: dotnet'");
        return name;
    }

    private static string? ParseBackend(YamlNode node, DiagnosticBag diagnostics)
    {
        if (node is not YamlMappingNode m)
        {
            diagnostics.Add(node, "backend", $"expected a mapping with 'url', got {Describe(node)}", "write 'backend: {url: file://~/.llmctl}'");
            return null;
        }
        string? url = null;
        foreach (var (k, v) in m.Children)
        {
            var key = YamlJson.KeyText(k);
            if (key == "url") url = Scalar(v, "backend.url", diagnostics);
            else diagnostics.Add(k, "backend." + key, $"unknown backend attribute '{key}'", "backend takes only 'url'");
        }
        return url;
    }

    private static void ParseConfig(YamlNode node, Dictionary<string, ProjectConfigDeclaration> config, DiagnosticBag diagnostics)
    {
        if (node is YamlScalarNode { Value: "" or null }) return;
        if (node is not YamlMappingNode m)
        {
            diagnostics.Add(node, "config", $"expected a mapping of config keys, got {Describe(node)}");
            return;
        }
        foreach (var (k, v) in m.Children)
        {
            var key = YamlJson.KeyText(k);
            config[key] = ParseDeclaration(key, "config." + key, v, diagnostics, isItems: false);
        }
    }

    private static ProjectConfigDeclaration ParseDeclaration(string key, string keyPath, YamlNode node, DiagnosticBag diagnostics, bool isItems)
    {
        if (node is not YamlMappingNode m)
        {
            if (isItems) diagnostics.Add(node, keyPath, "'items' must be a declaration such as {type: string}");
            return new ProjectConfigDeclaration(key, node) { Value = node };
        }
        var keys = m.Children.Keys.Select(YamlJson.KeyText).ToList();
        if (keys is ["value"]) return new ProjectConfigDeclaration(key, node) { Value = m.Children.Values.Single() };
        if (!keys.Contains("type"))
        {
            if (isItems || keys.Any(SchemaAttributes.Contains))
            {
                diagnostics.Add(m, keyPath, "a config declaration needs a 'type'", "add 'type: string' (or integer, boolean, array, object)");
            }
            else
            {
                diagnostics.Add(m, keyPath, "a structured value in Pulumi.yaml needs a 'value:' wrapper",
                    $"write '{key}:' then 'value:' and nest the value under it");
            }
            return new ProjectConfigDeclaration(key, node) { Value = node };
        }

        ConfigValueType? type = null;
        YamlNode? defaultNode = null;
        var secret = false;
        string? description = null;
        ProjectConfigDeclaration? items = null;
        foreach (var (k, v) in m.Children)
        {
            var attr = YamlJson.KeyText(k);
            switch (attr)
            {
                case "type":
                    var typeText = v is YamlScalarNode ts ? ts.Value ?? "" : "";
                    if (Enum.TryParse<ConfigValueType>(typeText, ignoreCase: true, out var t) && !int.TryParse(typeText, out _)) type = t;
                    else
                    {
                        diagnostics.Add(v, keyPath + ".type", $"'{typeText}' is not a config type",
                            "use one of string, integer, boolean, array, object");
                    }
                    break;
                case "default":
                    defaultNode = v;
                    break;
                case "secret":
                    if (v is YamlScalarNode ss && YamlJson.IsPlain(ss) && YamlJson.TryBool(ss.Value ?? "", out var b)) secret = b;
                    else diagnostics.Add(v, keyPath + ".secret", $"expected true or false, got {Describe(v)}");
                    break;
                case "description":
                    description = Scalar(v, keyPath + ".description", diagnostics);
                    break;
                case "items":
                    items = ParseDeclaration(key, keyPath + ".items", v, diagnostics, isItems: true);
                    break;
                default:
                    diagnostics.Add(k, keyPath + "." + attr, $"unknown attribute '{attr}' in a config declaration",
                        Suggest.DidYouMean(attr, SchemaAttributes) ?? "allowed: " + string.Join(", ", SchemaAttributes));
                    break;
            }
        }

        var declaration = new ProjectConfigDeclaration(key, node)
        {
            Type = type, Value = defaultNode, Secret = secret, Description = description, Items = items,
        };
        if (type == ConfigValueType.Array && items is null)
            diagnostics.Add(m, keyPath, "an array declaration needs 'items'", "add 'items: {type: string}' (or the item type)");
        if (type is not null && defaultNode is not null && !ConfigTypes.Matches(defaultNode, declaration, out var got))
        {
            diagnostics.Add(defaultNode, keyPath + ".default",
                $"the default does not match the declared type {type.Value.ToString().ToLowerInvariant()}: got {got}",
                ConfigTypes.Example(type.Value));
        }
        return declaration;
    }

    internal static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode s => $"'{s.Value}'",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => "an unsupported value",
    };

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+$")]
    private static partial Regex NamePattern();
}
