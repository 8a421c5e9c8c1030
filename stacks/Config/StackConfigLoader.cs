using System.Text.RegularExpressions;
using Llmctl.Engine.Config;

namespace Llmctl.Stacks.Config;

/// <summary>
/// Maps the project-namespace sections of a loaded stack (<c>&lt;project&gt;:cluster</c>, <c>:gpuNodes</c>,
/// <c>:lanes</c>) to a <see cref="StackConfig"/> and checks what a single section cannot: unknown project keys, lane →
/// node references, unique and DNS-1123 names. Other namespaces (<c>kubernetes:context</c>) are left alone; project
/// keys declared in Pulumi.yaml's <c>config:</c> are the program's own and are not reported.
/// </summary>
public static partial class StackConfigLoader
{
    /// <summary>The typed config; throws <see cref="ConfigException"/> with every problem (file, stack and typed).</summary>
    public static StackConfig Load(LoadedStack stack) =>
        TryLoad(stack, out var diagnostics) ?? throw new ConfigException(diagnostics);

    /// <summary>The typed config, or null with the diagnostics (those of the loaded files come first).</summary>
    public static StackConfig? TryLoad(LoadedStack stack, out IReadOnlyList<ConfigDiagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var all = new List<ConfigDiagnostic>(stack.Diagnostics);
        var binder = new ConfigBinder(stack.Decrypt);
        var project = stack.ProjectName;
        var stackBag = new DiagnosticBag(stack.DisplayPath(stack.StackFilePath), all);
        var sections = ConfigBinder.BindableProperties(typeof(StackConfig)).ToDictionary(p => ConfigBinder.KeyName(p.Name));
        var result = new StackConfig { Cluster = null! };

        foreach (var (name, property) in sections)
        {
            var key = $"{project}:{name}";
            if (!stack.Config.TryGetValue(key, out var value))
            {
                if (ConfigBinder.IsRequired(property) && stack.StackFile?.Unreadable != true)
                {
                    stackBag.Add(null, key, $"missing required configuration '{key}'", $"add '{key}:' under 'config:' in the stack file");
                }
                continue;
            }
            var bound = binder.Bind(property.PropertyType, value.Node, key, stackBag.For(value.File));
            if (bound is not null) property.SetValue(result, bound);
        }

        var declared = stack.Project.Config.Keys.Select(k => ConfigKey.Parse(k, project).ToString()).ToHashSet(StringComparer.Ordinal);
        foreach (var value in stack.Config.Values)
        {
            if (value.Key.Namespace != project || sections.ContainsKey(value.Key.Name) || declared.Contains(value.Key.ToString())) continue;
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
        CheckSecrets(result, binder);
        diagnostics = all;
        return all.Count == 0 ? result : null;
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

        var nodes = new Dictionary<string, GpuNodeConfig>(StringComparer.Ordinal);
        foreach (var node in config.GpuNodes.Where(n => n.Name is not null))
        {
            CheckSubdomain(binder, node, nameof(GpuNodeConfig.Name), node.Name);
            if (!nodes.TryAdd(node.Name, node))
            {
                binder.Report(node, nameof(GpuNodeConfig.Name), $"duplicate GPU node name '{node.Name}'", "give each GPU node a unique name");
            }
            if (HardwareCatalog.Resolve(node, out var problem, out var problemKey) is null && problem is not null)
            {
                // The hardware: a catalog key, GPUs declared inline, or both; say which key is wrong.
                if (problemKey!.StartsWith("gpus.", StringComparison.Ordinal) && node.Gpus is not null)
                {
                    var property = char.ToUpperInvariant(problemKey[5]) + problemKey[6..];
                    binder.Report(node.Gpus, binder.NodeOf(node.Gpus, property) is null ? null : property, problem, null);
                }
                else
                {
                    binder.Report(node, node.Hardware is null ? null : nameof(GpuNodeConfig.Hardware), problem, null);
                }
            }
        }

        CheckLabel(binder, config.Lanes, nameof(LanesConfig.Namespace), config.Lanes.Namespace);
        var lanes = new Dictionary<string, LaneConfig>(StringComparer.Ordinal);
        foreach (var lane in config.Lanes.Items.Where(l => l.Name is not null))
        {
            CheckLabel(binder, lane, nameof(LaneConfig.Name), lane.Name);
            if (!lanes.TryAdd(lane.Name, lane))
            {
                binder.Report(lane, nameof(LaneConfig.Name), $"duplicate lane name '{lane.Name}'", "give each lane a unique name");
            }
            if (lane.Runtime == LaneRuntime.Ollama)
            {
                CheckOllamaLane(binder, lane, nodes);
                continue;
            }
            if (lane.Gpus < 1)
            {
                binder.Report(lane, nameof(LaneConfig.Gpus), $"lane '{lane.Name}' asks for {lane.Gpus} GPUs", "a lane needs at least one GPU");
            }
            if (lane.Model is null && lane.Router is null)
            {
                binder.Report(lane, null, $"lane '{lane.Name}' has no model", $"{lane.Runtime.ToString().ToLowerInvariant()} lanes name their model: add 'model:'");
            }
            if (lane.Nodes.Count > 0 || lane.Pull.Count > 0)
            {
                binder.Report(lane, lane.Nodes.Count > 0 ? nameof(LaneConfig.Nodes) : nameof(LaneConfig.Pull),
                    $"lane '{lane.Name}': 'nodes' and 'pull' are ollama settings", "name one 'node:' and the 'model:' for llamacpp and vllm lanes");
            }
            if (lane.Node is null)
            {
                binder.Report(lane, null, $"lane '{lane.Name}' has no node", "add 'node:' with one of the GPU nodes");
                continue;
            }
            if (!nodes.ContainsKey(lane.Node))
            {
                var hint = Suggest.DidYouMean(lane.Node, nodes.Keys);
                var known = nodes.Count == 0 ? "no GPU nodes are declared under gpuNodes" : "GPU nodes: " + string.Join(", ", nodes.Keys);
                binder.Report(lane, nameof(LaneConfig.Node), $"lane '{lane.Name}' names node '{lane.Node}', which is not a GPU node",
                    hint is null ? known : $"{hint} {known}");
            }
            // Two active lanes on one GPU is well-formed: the one-active-lane policy reports it (with its level).
        }
    }

    private static void CheckOllamaLane(ConfigBinder binder, LaneConfig lane, Dictionary<string, GpuNodeConfig> nodes)
    {
        if (lane.Node is not null)
        {
            binder.Report(lane, nameof(LaneConfig.Node), $"ollama lane '{lane.Name}' runs on a list of nodes", "write 'nodes: [node-a, node-b]' instead of 'node:'");
        }
        if (lane.Nodes.Count == 0)
        {
            binder.Report(lane, null, $"ollama lane '{lane.Name}' names no nodes", "add 'nodes:' with the GPU nodes that each run one release");
        }
        foreach (var node in lane.Nodes.Where(n => !nodes.ContainsKey(n)))
        {
            var hint = Suggest.DidYouMean(node, nodes.Keys);
            var known = nodes.Count == 0 ? "no GPU nodes are declared under gpuNodes" : "GPU nodes: " + string.Join(", ", nodes.Keys);
            binder.Report(lane, nameof(LaneConfig.Nodes), $"lane '{lane.Name}' names node '{node}', which is not a GPU node", hint is null ? known : $"{hint} {known}");
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

    // A secret setting inside a section must be a `secure:` value, never plain text in the stack file.
    private static void CheckSecure(ConfigBinder binder, object? owner, string property, string what)
    {
        if (owner is null || binder.NodeOf(owner, property) is not { } node) return;
        var values = node is YamlDotNet.RepresentationModel.YamlMappingNode map && !YamlJson.TryGetSecure(node, out _)
            ? map.Children.Values.ToList()
            : [node];
        if (values.Any(v => !YamlJson.TryGetSecure(v, out _)))
        {
            binder.Report(owner, property, $"{what} is a secret but is stored in plain text",
                $"set it with 'llmctl config set --secret --path <section>.{ConfigBinder.KeyName(property)} <value>'");
        }
    }

    private static void CheckSecrets(StackConfig config, ConfigBinder binder)
    {
        if (config.Gateway is { } gateway)
        {
            CheckSecure(binder, gateway, nameof(GatewayConfig.MasterKey), "gateway.masterKey");
            CheckSecure(binder, gateway, nameof(GatewayConfig.ProviderKeys), "each of gateway.providerKeys");
            if (gateway.MasterKey is not null && gateway.MasterKeySecret is not null)
            {
                binder.Report(gateway, nameof(GatewayConfig.MasterKey), "the gateway has both masterKey and masterKeySecret",
                    "give one: masterKey (a secure value llmctl writes to a Secret) or masterKeySecret (a Secret you create)");
            }
        }
        if (config.Certificates?.Ionos is { } ionos)
        {
            CheckSecure(binder, ionos, nameof(IonosWebhookConfig.PublicPrefix), "certificates.ionos.publicPrefix");
            CheckSecure(binder, ionos, nameof(IonosWebhookConfig.Secret), "certificates.ionos.secret");
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
