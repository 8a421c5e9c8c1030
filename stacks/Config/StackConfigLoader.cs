using System.Text.RegularExpressions;
using Llmctl.Engine.Config;

namespace Llmctl.Stacks.Config;

/// <summary>
/// Maps the project-namespace sections of a loaded stack (<c>&lt;project&gt;:cluster</c>, <c>:gpuNodes</c>,
/// <c>:lanes</c>) to a <see cref="StackConfig"/> and checks what binding alone can tell: unknown namespaces and project
/// keys, DNS-1123 names, runtime settings on the right runtime. References between sections
/// (a lane's node, unique names) are the composition's rules, located the same way through <see cref="StackPipeline"/>.
/// Project keys declared in Pulumi.yaml's <c>config:</c> are the program's own and are not reported.
/// </summary>
public static partial class StackConfigLoader
{
    /// <summary>The typed config; throws <see cref="ConfigException"/> with every problem (file, stack and typed).</summary>
    public static StackConfig Load(LoadedStack stack) =>
        TryLoad(stack, out var diagnostics) ?? throw new ConfigException(diagnostics);

    /// <summary>The typed config, or null with the diagnostics (those of the loaded files come first).</summary>
    public static StackConfig? TryLoad(LoadedStack stack, out IReadOnlyList<ConfigDiagnostic> diagnostics)
    {
        var config = LoadPartial(stack, out diagnostics);
        return diagnostics.Count == 0 ? config : null;
    }

    /// <summary>
    /// The typed config as far as it binds — a value that failed to bind is left null or at its default — with every
    /// diagnostic. <see cref="StackPipeline.Bind"/> composes it to report the composition's problems beside these.
    /// </summary>
    public static StackConfig LoadPartial(LoadedStack stack, out IReadOnlyList<ConfigDiagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var all = new List<ConfigDiagnostic>(stack.Diagnostics);
        var binder = new ConfigBinder(stack.Decrypt);
        var project = stack.ProjectName;
        var stackBag = new DiagnosticBag(stack.DisplayPath(stack.StackFilePath), all);
        var sections = ConfigRecordShape.Of<StackConfig>().Members.ToDictionary(m => m.Key);
        var result = new StackConfig { Cluster = null! };

        foreach (var (name, section) in sections)
        {
            var key = $"{project}:{name}";
            if (!stack.Config.TryGetValue(key, out var value))
            {
                if (section.Required && stack.StackFile?.Unreadable != true)
                {
                    stackBag.Add(null, key, $"missing required configuration '{key}'", $"add '{key}:' under 'config:' in the stack file");
                }
                continue;
            }
            var bound = binder.Bind(section.Type, value.Node, key, stackBag.For(value.File));
            if (bound is not null) section.Set(result, bound);
        }

        var declared = stack.Project.Config.Keys.Select(k => ConfigKey.Parse(k, project).ToString()).ToHashSet(StringComparer.Ordinal);
        foreach (var value in stack.Config.Values)
        {
            if (value.Key.Namespace != project)
            {
                CheckNamespace(stack, value, stackBag);
                continue;
            }
            if (sections.ContainsKey(value.Key.Name) || declared.Contains(value.Key.ToString())) continue;
            if (StackSecrets.Keys.Contains(value.Key.Name))
            {
                if (!value.IsSecure)
                {
                    var at = stack.StackFile?.Config.GetValueOrDefault(value.Key.ToString());
                    stackBag.For(value.File).Add(at?.KeyNode ?? value.Node, value.Key.ToString(), $"'{value.Key}' is a secret but is stored in plain text",
                        $"set it with 'llmctl config set --secret {value.Key.Name} <value>'");
                }
                continue;
            }
            var entry = stack.StackFile?.Config.GetValueOrDefault(value.Key.ToString());
            var hint = Suggest.DidYouMean(value.Key.Name, sections.Keys);
            var known = string.Join(", ", sections.Keys.Select(s => $"{project}:{s}"));
            stackBag.For(value.File).Add(entry?.KeyNode ?? value.Node, value.Key.ToString(), $"unknown configuration key '{value.Key}'",
                hint is null ? $"known keys: {known}" : $"{hint} known keys: {known}");
        }

        CheckReferences(result, binder);
        all.AddRange(stack.CheckSecureValues());
        diagnostics = all;
        return result;
    }

    /// <summary>
    /// The namespaces a stack file may use besides the project's: the providers' (<c>kubernetes:context</c>,
    /// <c>tailscale:tailnet</c>, <c>command:</c>), Pulumi's own and llmctl's (<c>llmctl:policies</c>). A key in any
    /// other namespace is a mistake — a misspelt <c>llm-platfrom:gpu</c> would otherwise drop that whole section.
    /// </summary>
    public static IReadOnlyList<string> ProviderNamespaces { get; } = ["kubernetes", "tailscale", "command", "pulumi", "llmctl"];

    private static void CheckNamespace(LoadedStack stack, ConfigValue value, DiagnosticBag stackBag)
    {
        var ns = value.Key.Namespace;
        if (ProviderNamespaces.Contains(ns)) return;
        var known = (IEnumerable<string>)[stack.ProjectName, .. ProviderNamespaces];
        var entry = stack.StackFile?.Config.GetValueOrDefault(value.Key.ToString());
        var hint = Suggest.Closest(ns, known) is { } closest ? $"did you mean '{closest}:{value.Key.Name}'? " : "";
        stackBag.For(value.File).Add(entry?.KeyNode ?? value.Node, value.Key.ToString(),
            $"unknown configuration namespace '{ns}'; nothing reads '{value.Key}'",
            $"{hint}namespaces: {string.Join(", ", known)}");
    }

    // Names become Kubernetes object names and labels: DNS-1123 labels (lowercase alphanumerics and '-', 63 at most).
    // Runs on partly bound config too (a value that failed to bind is null), so every problem shows at once.
    private static void CheckReferences(StackConfig config, ConfigBinder binder)
    {
        if (config.Cluster is { Name: not null }) CheckLabel(binder, config.Cluster, nameof(ClusterConfig.Name), config.Cluster.Name);
        if (config.Cluster is not null && config.Cluster.Distribution != "k3s")
        {
            binder.Report(config.Cluster, nameof(ClusterConfig.Distribution),
                $"distribution '{config.Cluster.Distribution}' is not supported", "llmctl supports only 'k3s' for now");
        }

        // Node references, unique lane and node names and what each runtime needs are the composition's rules
        // (stacks/Compose), reported through StackPipeline at the same file:line:column; here only what binding alone
        // can tell: names valid as Kubernetes names, and the runtimes' settings used on the right runtime.
        foreach (var node in config.GpuNodes.Where(n => n.Name is not null))
        {
            CheckSubdomain(binder, node, nameof(GpuNodeConfig.Name), node.Name);
        }

        CheckLabel(binder, config.Lanes, nameof(LanesConfig.Namespace), config.Lanes.Namespace);
        foreach (var lane in config.Lanes.Items.Where(l => l.Name is not null))
        {
            CheckLabel(binder, lane, nameof(LaneConfig.Name), lane.Name);
            if (lane.Runtime == LaneRuntime.Ollama)
            {
                CheckOllamaLane(binder, lane);
                continue;
            }
            if (lane.Gpus < 1)
            {
                binder.Report(lane, nameof(LaneConfig.Gpus), $"lane '{lane.Name}' asks for {lane.Gpus} GPUs", "a lane needs at least one GPU");
            }
            if (lane.Nodes.Count > 0 || lane.Pull.Count > 0)
            {
                binder.Report(lane, lane.Nodes.Count > 0 ? nameof(LaneConfig.Nodes) : nameof(LaneConfig.Pull),
                    $"lane '{lane.Name}': 'nodes' and 'pull' are ollama settings", "name one 'node:' and the 'model:' for llamacpp and vllm lanes");
            }
            // Two active lanes on one GPU is well-formed: the one-active-lane policy reports it (with its level).
        }
    }

    private static void CheckOllamaLane(ConfigBinder binder, LaneConfig lane)
    {
        if (lane.Node is not null)
        {
            binder.Report(lane, nameof(LaneConfig.Node), $"ollama lane '{lane.Name}' runs on a list of nodes", "write 'nodes: [node-a, node-b]' instead of 'node:'");
        }
        foreach (var node in lane.ServiceNames.Keys.Where(n => !lane.Nodes.Contains(n)))
        {
            binder.Report(lane, nameof(LaneConfig.ServiceNames), $"lane '{lane.Name}' names a service for '{node}', which is not in its nodes", "key serviceNames by the lane's nodes");
        }
        foreach (var name in lane.ServiceNames.Values.Where(v => v.Length > 53 || !Dns1123Label().IsMatch(v) || !char.IsLetter(v[0])))
        {
            binder.Report(lane, nameof(LaneConfig.ServiceNames), $"'{name}' is not a valid release and Service name",
                "use at most 53 lowercase letters, digits and '-', starting with a letter");
        }
        if (lane.Model is not null)
        {
            binder.Report(lane, nameof(LaneConfig.Model), $"ollama lane '{lane.Name}' pulls its models by name", "list them under 'pull:' instead of 'model:'");
        }
    }

    // Only values that came from a file can be wrong (the defaults are valid), and only those have a location.
    private static void CheckLabel(ConfigBinder binder, object owner, string property, string value)
    {
        if (binder.NodeOf(owner) is null) return;
        if (value.Length > 63 || !Dns1123Label().IsMatch(value))
        {
            binder.Report(owner, property, $"'{value}' is not a valid DNS-1123 label",
                "use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit");
        }
    }

    private static void CheckSubdomain(ConfigBinder binder, object owner, string property, string value)
    {
        if (value.Length > 253 || !value.Split('.').All(Dns1123Label().IsMatch))
        {
            binder.Report(owner, property, $"'{value}' is not a valid Kubernetes node name (DNS-1123 subdomain)",
                "use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit");
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();
}
