using Llmctl.Engine.Config.Secrets;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Engine.Config;

/// <summary>One <c>config:</c> entry of a stack file, with its YAML nodes so binders can report positions.</summary>
public sealed record StackConfigEntry(ConfigKey Key, YamlNode KeyNode, YamlNode Value)
{
    public bool IsSecure => YamlJson.TryGetSecure(Value, out _);
    public bool ContainsSecure => YamlJson.ContainsSecure(Value);
}

/// <summary>
/// <c>Pulumi.&lt;stack&gt;.yaml</c> (pulumi/docs <c>content/docs/iac/concepts/projects/stack-settings-file.md</c>):
/// the secrets provider, the passphrase salt and the <c>config:</c> map of <c>namespace:key</c> → value.
/// </summary>
public sealed record StackFile
{
    private static readonly string[] KnownAttributes = ["secretsprovider", "encryptionsalt", "encryptedkey", "config", "environment"];

    public string? SecretsProvider { get; init; }
    public string? EncryptionSalt { get; init; }
    /// <summary>Entries by full key (<c>ns:name</c>), in file order.</summary>
    public IReadOnlyDictionary<string, StackConfigEntry> Config { get; init; } = new Dictionary<string, StackConfigEntry>();

    /// <summary>The file could not be parsed as YAML; its config is unknown rather than empty.</summary>
    public bool Unreadable { get; init; }

    public bool HasSecureValues => Config.Values.Any(e => e.ContainsSecure);

    public static StackFile Parse(string text, string projectName, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        var before = diagnostics.Items.Count;
        var root = YamlDocumentReader.Read(text, diagnostics);
        if (root is null) return new StackFile { Unreadable = diagnostics.Items.Count > before }; // empty is valid
        if (root is not YamlMappingNode map)
        {
            diagnostics.Add(root, "", "the stack file must be a mapping (secretsprovider:, encryptionsalt:, config:)");
            return new StackFile();
        }

        string? provider = null, salt = null;
        var config = new Dictionary<string, StackConfigEntry>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            var key = YamlJson.KeyText(keyNode);
            switch (key)
            {
                case "secretsprovider":
                    provider = (value as YamlScalarNode)?.Value;
                    if (provider is not ("passphrase" or "" or null))
                    {
                        diagnostics.Add(value, key, $"secrets provider '{provider}' is not supported; llmctl supports only 'passphrase'",
                            "write 'secretsprovider: passphrase' and set PULUMI_CONFIG_PASSPHRASE (re-encrypt existing secrets with it)");
                    }
                    break;
                case "encryptionsalt":
                    salt = (value as YamlScalarNode)?.Value;
                    if (!IsWellFormedSalt(salt))
                    {
                        diagnostics.Add(value, key, $"malformed encryptionsalt '{salt}'",
                            "expected v1:<base64 8-byte salt>:v1:<nonce>:<ciphertext>; restore it from version control or run 'llmctl stack init' again");
                    }
                    break;
                case "encryptedkey":
                    diagnostics.Add(keyNode, key, "'encryptedkey' belongs to cloud secrets providers, which llmctl does not support",
                        "use the passphrase provider: remove 'encryptedkey' and set 'encryptionsalt'");
                    break;
                case "environment":
                    diagnostics.Add(keyNode, key, "Pulumi ESC environments are not supported by llmctl", "move the values into 'config:'");
                    break;
                case "config":
                    ReadConfig(value, projectName, config, diagnostics);
                    break;
                default:
                    diagnostics.Add(keyNode, key, $"unknown stack file attribute '{key}'",
                        Suggest.DidYouMean(key, KnownAttributes) ?? "known attributes: " + string.Join(", ", KnownAttributes));
                    break;
            }
        }

        foreach (var entry in config.Values)
        {
            CheckSecure(entry.Value, entry.Key.ToString(), salt is not null, diagnostics);
        }
        return new StackFile { SecretsProvider = provider, EncryptionSalt = salt, Config = config };
    }

    private static void ReadConfig(YamlNode node, string projectName, Dictionary<string, StackConfigEntry> config, DiagnosticBag diagnostics)
    {
        if (node is YamlScalarNode { Value: "" or null }) return; // `config:` with nothing under it
        if (node is not YamlMappingNode m)
        {
            diagnostics.Add(node, "config", $"expected a mapping of namespace:key entries, got {ProjectFile.Describe(node)}");
            return;
        }
        foreach (var (k, v) in m.Children)
        {
            var text = YamlJson.KeyText(k);
            if (text.Length == 0)
            {
                diagnostics.Add(k, "config", "empty config key");
                continue;
            }
            var key = ConfigKey.Parse(text, projectName);
            if (config.TryGetValue(key.ToString(), out var first))
            {
                var firstText = YamlJson.KeyText(first.KeyNode);
                var same = firstText == text ? "" : $" ('{text}' and '{firstText}' are the same key)";
                diagnostics.Add(k, key.ToString(), $"duplicate key '{key}'{same}",
                    $"remove one of the two entries; the first one, at line {first.KeyNode.Start.Line}, is used");
                continue;
            }
            config[key.ToString()] = new StackConfigEntry(key, k, v);
        }
    }

    private static void CheckSecure(YamlNode node, string keyPath, bool hasSalt, DiagnosticBag diagnostics)
    {
        switch (node)
        {
            case YamlMappingNode m when m.Children.Keys.Any(k => YamlJson.KeyText(k) == "secure"):
                if (!YamlJson.TryGetSecure(m, out var ciphertext))
                {
                    diagnostics.Add(m, keyPath, "malformed secure value: 'secure:' must be the only key and hold the ciphertext text",
                        "set it again with 'llmctl config set --secret <key> <value>'");
                    return;
                }
                var valueNode = m.Children.Values.Single();
                if (!PassphraseCrypter.IsWellFormed(ciphertext, out var problem))
                {
                    diagnostics.Add(valueNode, keyPath, $"malformed secure value: {problem}",
                        "set it again with 'llmctl config set --secret <key> <value>'");
                }
                else if (!hasSalt)
                {
                    diagnostics.Add(valueNode, keyPath, "secure value but the stack file has no 'encryptionsalt', so it cannot be decrypted",
                        "restore 'encryptionsalt:' from version control, or run 'llmctl stack init' and set the secret again");
                }
                return;
            case YamlMappingNode m:
                // A scalar holds no secure value: its key path is made only for a collection.
                foreach (var (k, v) in m.Children)
                {
                    if (v is not YamlScalarNode) CheckSecure(v, $"{keyPath}.{YamlJson.KeyText(k)}", hasSalt, diagnostics);
                }
                return;
            case YamlSequenceNode s:
                for (var i = 0; i < s.Children.Count; i++)
                {
                    if (s.Children[i] is not YamlScalarNode) CheckSecure(s.Children[i], $"{keyPath}[{i}]", hasSalt, diagnostics);
                }
                return;
        }
    }

    private static bool IsWellFormedSalt(string? salt)
    {
        var parts = salt?.Split(':', 3);
        if (parts is not { Length: 3 } || parts[0] != "v1") return false;
        try
        {
            return Convert.FromBase64String(parts[1]).Length > 0 && PassphraseCrypter.IsWellFormed(parts[2], out _);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
