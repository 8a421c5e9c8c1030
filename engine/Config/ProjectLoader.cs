using Llmctl.Engine.Config.Secrets;

namespace Llmctl.Engine.Config;

/// <summary>
/// Finds <c>Pulumi.yaml</c> (in the directory or the nearest parent that has one, as Pulumi does), reads it and
/// <c>Pulumi.&lt;stack&gt;.yaml</c>, merges their config and checks stack values against the project's declarations.
/// Problems are collected, not thrown: see <see cref="LoadedStack.Diagnostics"/>.
/// </summary>
public static class ProjectLoader
{
    public static readonly string[] ProjectFileNames = ["Pulumi.yaml", "Pulumi.yml"];

    /// <summary>The project file in <paramref name="directory"/> or its nearest parent that has one, else null.</summary>
    public static string? FindProjectFile(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        for (var dir = new DirectoryInfo(Path.GetFullPath(directory)); dir is not null; dir = dir.Parent)
        {
            foreach (var name in ProjectFileNames)
            {
                var path = Path.Combine(dir.FullName, name);
                if (File.Exists(path)) return path;
            }
        }
        return null;
    }

    /// <summary>
    /// Loads the project found from <paramref name="directory"/> and the stack <paramref name="stackName"/>.
    /// Throws <see cref="ConfigException"/> only when there is no project file at all.
    /// </summary>
    /// <param name="secrets">Makes the stack's crypter on first use; by default the passphrase provider with the
    /// passphrase from <paramref name="environment"/> (the process environment when null).</param>
    public static LoadedStack Load(string directory, string stackName,
        Func<LoadedStack, ISecretCrypter>? secrets = null, Func<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(stackName);
        var projectPath = FindProjectFile(directory) ?? throw new ConfigException(
        [
            new ConfigDiagnostic(Path.GetFullPath(directory), 0, 0, "", "no Pulumi.yaml found here or in any parent directory",
                "run llmctl from the project directory, or create Pulumi.yaml with 'name:' and 'runtime:'"),
        ]);
        var projectDir = Path.GetDirectoryName(projectPath)!;
        var diagnostics = new List<ConfigDiagnostic>();
        var projectBag = new DiagnosticBag(Display(projectDir, projectPath), diagnostics);
        var projectText = YamlDocumentReader.ReadFile(projectPath, projectBag) ?? "";
        var project = ProjectFile.Parse(projectText, projectBag);

        var stackDir = string.IsNullOrEmpty(project.StackConfigDir) ? projectDir : Path.GetFullPath(Path.Combine(projectDir, project.StackConfigDir));
        var stackPath = StackFilePath(stackDir, stackName);
        // A stack file that exists but cannot be read (too large, not UTF-8) is unreadable, not missing.
        string? stackText = File.Exists(stackPath)
            ? YamlDocumentReader.ReadFile(stackPath, new DiagnosticBag(Display(projectDir, stackPath), diagnostics)) ?? Unreadable
            : null;
        return Assemble(projectDir, projectPath, project, stackName, stackPath, stackText, diagnostics,
            secrets ?? DefaultSecrets(environment ?? Environment.GetEnvironmentVariable));
    }

    /// <summary>Loads from texts (tests, tools); the paths only name the files in diagnostics.</summary>
    public static LoadedStack LoadFromText(string projectText, string? stackText, string stackName,
        Func<LoadedStack, ISecretCrypter>? secrets = null, string projectDirectory = ".")
    {
        ArgumentNullException.ThrowIfNull(projectText);
        var projectDir = Path.GetFullPath(projectDirectory);
        var projectPath = Path.Combine(projectDir, "Pulumi.yaml");
        var diagnostics = new List<ConfigDiagnostic>();
        var project = ProjectFile.Parse(projectText, new DiagnosticBag("Pulumi.yaml", diagnostics));
        var stackPath = Path.Combine(projectDir, $"Pulumi.{stackName}.yaml");
        return Assemble(projectDir, projectPath, project, stackName, stackPath, stackText, diagnostics,
            secrets ?? (_ => throw new SecretDecryptionException("no secrets provider configured")));
    }

    /// <summary><c>Pulumi.&lt;stack&gt;.yaml</c>, or the <c>.yml</c> file when only that one exists.</summary>
    public static string StackFilePath(string stackDirectory, string stackName)
    {
        var yaml = Path.Combine(stackDirectory, $"Pulumi.{stackName}.yaml");
        var yml = Path.Combine(stackDirectory, $"Pulumi.{stackName}.yml");
        return !File.Exists(yaml) && File.Exists(yml) ? yml : yaml;
    }

    /// <summary>The passphrase provider fed from the environment (PULUMI_CONFIG_PASSPHRASE or ..._FILE).</summary>
    public static Func<LoadedStack, ISecretCrypter> DefaultSecrets(Func<string, string?> environment) => stack =>
    {
        var salt = stack.StackFile?.EncryptionSalt ?? throw new SecretDecryptionException(
            $"stack '{stack.StackName}' has no encryptionsalt; run 'llmctl stack init' with a passphrase to set one");
        return PassphraseCrypter.FromEncryptionSalt(PassphraseSource.Read(environment, stack.StackName), salt, stack.StackName);
    };

    // Stands for the text of a stack file that exists but could not be read (the reason is already a diagnostic).
    private static readonly string Unreadable = new('\0', 1);

    internal static string Display(string projectDir, string path)
    {
        var relative = Path.GetRelativePath(projectDir, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }

    private static LoadedStack Assemble(string projectDir, string projectPath, ProjectFile project, string stackName,
        string stackPath, string? stackText, List<ConfigDiagnostic> diagnostics, Func<LoadedStack, ISecretCrypter> secrets)
    {
        var projectDisplay = Display(projectDir, projectPath);
        var stackDisplay = Display(projectDir, stackPath);
        var stackBag = new DiagnosticBag(stackDisplay, diagnostics);
        var stack = stackText is null ? null
            : ReferenceEquals(stackText, Unreadable) ? new StackFile { Unreadable = true }
            : StackFile.Parse(stackText, project.Name, stackBag);

        var merged = new Dictionary<string, ConfigValue>(StringComparer.Ordinal);
        foreach (var decl in project.Config.Values)
        {
            if (decl.Value is null) continue;
            var key = ConfigKey.Parse(decl.Key, project.Name);
            merged[key.ToString()] = new ConfigValue(key, decl.Value, projectDisplay, ConfigSource.Project);
        }
        if (stack is not null)
        {
            foreach (var entry in stack.Config.Values)
            {
                merged[entry.Key.ToString()] = new ConfigValue(entry.Key, entry.Value, stackDisplay, ConfigSource.Stack);
            }
            CheckAgainstDeclarations(project, stackName, merged, stackBag);
        }
        return new LoadedStack(projectDir, projectPath, project, stackName, stackPath, stack, merged, diagnostics, secrets);
    }

    // Pulumi validates stack values against typed project declarations before running the program.
    private static void CheckAgainstDeclarations(ProjectFile project, string stackName,
        Dictionary<string, ConfigValue> merged, DiagnosticBag diagnostics)
    {
        foreach (var decl in project.Config.Values.Where(d => d.IsSchema))
        {
            var key = ConfigKey.Parse(decl.Key, project.Name).ToString();
            if (!merged.TryGetValue(key, out var value))
            {
                diagnostics.Add(null, key, $"stack '{stackName}' is missing configuration value '{key}'",
                    $"set it with 'llmctl config set {decl.Key} <value>'" + (decl.Secret ? " --secret" : ""));
                continue;
            }
            if (value.Source != ConfigSource.Stack) continue;
            if (decl.Secret && !value.IsSecure)
            {
                diagnostics.Add(value.Node, key, "this key is declared secret in Pulumi.yaml but is stored in plain text",
                    $"set it with 'llmctl config set --secret {decl.Key} <value>'");
            }
            else if (!ConfigTypes.Matches(value.Node, decl, out var got))
            {
                diagnostics.Add(value.Node, key,
                    $"expected {decl.Type!.Value.ToString().ToLowerInvariant()} as declared in Pulumi.yaml, got {got}",
                    ConfigTypes.Example(decl.Type.Value));
            }
        }
    }
}
