using YamlDotNet.RepresentationModel;

namespace Llmctl.Engine.Config;

public enum ConfigSource
{
    /// <summary>A value or default in <c>Pulumi.yaml</c>'s <c>config:</c>.</summary>
    Project,
    /// <summary>A value in <c>Pulumi.&lt;stack&gt;.yaml</c>.</summary>
    Stack,
}

/// <summary>One effective config value: the stack's, else the project's value or default.</summary>
public sealed record ConfigValue(ConfigKey Key, YamlNode Node, string File, ConfigSource Source)
{
    public bool IsSecure => YamlJson.TryGetSecure(Node, out _);
    public bool ContainsSecure => YamlJson.ContainsSecure(Node);
}

/// <summary>
/// A project and one of its stacks, read and checked: the files, the merged config and every problem found.
/// Secrets are decrypted only when read, through a crypter made on first use (key derivation costs ~0.3 s).
/// </summary>
public sealed class LoadedStack
{
    private readonly Lazy<ISecretCrypter> _crypter;

    internal LoadedStack(string projectDirectory, string projectFilePath, ProjectFile project, string stackName,
        string stackFilePath, StackFile? stackFile, IReadOnlyDictionary<string, ConfigValue> config,
        IReadOnlyList<ConfigDiagnostic> diagnostics, Func<LoadedStack, ISecretCrypter> secrets)
    {
        ProjectDirectory = projectDirectory;
        ProjectFilePath = projectFilePath;
        Project = project;
        StackName = stackName;
        StackFilePath = stackFilePath;
        StackFile = stackFile;
        Config = config;
        Diagnostics = diagnostics;
        _crypter = new Lazy<ISecretCrypter>(() => secrets(this));
    }

    public string ProjectDirectory { get; }
    public string ProjectFilePath { get; }
    public ProjectFile Project { get; }
    public string ProjectName => Project.Name;
    public string StackName { get; }
    /// <summary>Where the stack file is, or would be created.</summary>
    public string StackFilePath { get; }
    /// <summary>The stack file, or null when it does not exist (the CLI reports "stack not found", exit 6).</summary>
    public StackFile? StackFile { get; }
    public bool StackExists => StackFile is not null;
    /// <summary>Effective config by full key (<c>ns:name</c>): stack values over project values and defaults.</summary>
    public IReadOnlyDictionary<string, ConfigValue> Config { get; }
    public IReadOnlyList<ConfigDiagnostic> Diagnostics { get; }
    public bool HasErrors => Diagnostics.Count > 0;

    /// <summary>The crypter for this stack's secrets, made on first use.</summary>
    public ISecretCrypter Crypter => _crypter.Value;

    public bool CrypterCreated => _crypter.IsValueCreated;

    public string Decrypt(string ciphertext) => Crypter.Decrypt(ciphertext);

    /// <summary>
    /// Decrypts every well-formed <c>secure:</c> value once, so that a corrupt ciphertext is reported at its key and
    /// file:line:column before anything reads it (values are otherwise decrypted on first use, far from the file).
    /// Nothing is reported when the stack has no secure values or no crypter can be made (no passphrase, a wrong
    /// one, no salt): the first read says that, as before. The plain text is dropped at once and never reported.
    /// </summary>
    public IReadOnlyList<ConfigDiagnostic> CheckSecureValues()
    {
        var found = new List<(YamlNode Node, ConfigKey Key, string Path, string File, string Ciphertext)>();
        foreach (var value in Config.Values) FindSecure(value.Node, value.Key, "", value.File, found);
        var wellFormed = found.Where(f => Secrets.PassphraseCrypter.IsWellFormed(f.Ciphertext, out _)).ToList();
        if (wellFormed.Count == 0) return [];
        try
        {
            _ = Crypter;
        }
        catch (SecretDecryptionException)
        {
            return [];
        }
        var problems = new List<ConfigDiagnostic>();
        foreach (var (node, key, path, file, ciphertext) in wellFormed)
        {
            try
            {
                _ = Crypter.Decrypt(ciphertext);
            }
            catch (SecretDecryptionException)
            {
                var name = (key.Namespace == ProjectName ? key.Name : key.ToString()) + path;
                new DiagnosticBag(file, problems).Add(node, key + path,
                    "the secure value cannot be decrypted with this stack's passphrase: it was altered or cut, or copied from another stack",
                    $"set it again with `llmctl config set --secret {(path.Length > 0 ? "--path " : "")}{name} <value>`");
            }
        }
        return problems;
    }

    // Depth is bounded: the files were read within YamlLimits (64 levels).
    private static void FindSecure(YamlNode node, ConfigKey key, string path, string file, List<(YamlNode, ConfigKey, string, string, string)> found)
    {
        if (YamlJson.TryGetSecure(node, out var ciphertext))
        {
            found.Add((((YamlMappingNode)node).Children.Values.First(), key, path, file, ciphertext));
            return;
        }
        switch (node)
        {
            case YamlMappingNode map:
                // A scalar holds no secure value: its path is made only for a collection.
                foreach (var (k, v) in map.Children)
                {
                    if (v is not YamlScalarNode) FindSecure(v, key, $"{path}.{YamlJson.KeyText(k)}", file, found);
                }
                break;
            case YamlSequenceNode seq:
                for (var i = 0; i < seq.Children.Count; i++)
                {
                    if (seq.Children[i] is not YamlScalarNode) FindSecure(seq.Children[i], key, $"{path}[{i}]", file, found);
                }
                break;
        }
    }

    /// <summary>Throws a <see cref="ConfigException"/> with every diagnostic when there is any.</summary>
    public void ThrowIfErrors()
    {
        if (HasErrors) throw new ConfigException(Diagnostics);
    }

    /// <summary>A path relative to the project directory, as diagnostics print it.</summary>
    public string DisplayPath(string path) => ProjectLoader.Display(ProjectDirectory, path);
}
