using System.Text.Json;
using System.Text.Json.Nodes;

namespace Llmctl.Engine.Model;

/// <summary>Raised when two resources resolve to the same URN; the message is Pulumi's.</summary>
public sealed class DuplicateUrnException(Urn urn)
    : InvalidOperationException($"Duplicate resource URN '{urn}'; try giving it a unique name")
{
    public Urn Urn { get; } = urn;
}

/// <summary>
/// Runs a stack program and holds what it registers: the root stack resource, every resource in registration
/// order, stack outputs, and the deferred outputs embedded in resource inputs.
/// </summary>
public sealed class StackContext
{
    private static readonly AsyncLocal<StackContext?> CurrentContext = new();
    private readonly List<Resource> _resources = [];
    private readonly Dictionary<string, Resource> _byUrn = new(StringComparer.Ordinal);
    private readonly List<Output> _outputs = [];
    private readonly Dictionary<string, ProviderResource?> _providers = new(StringComparer.Ordinal);
    private readonly Func<string, JsonObject?>? _defaultProviderConfig;

    private StackContext(string projectName, string stackName, bool isPreview, Func<string, JsonObject?>? defaultProviderConfig)
    {
        _defaultProviderConfig = defaultProviderConfig;
        ArgumentException.ThrowIfNullOrWhiteSpace(projectName);
        ArgumentException.ThrowIfNullOrWhiteSpace(stackName);
        ProjectName = projectName;
        StackName = stackName;
        IsPreview = isPreview;
        Root = new StackResource(this);
    }

    /// <summary>The context of the program now running on this async flow, if any.</summary>
    public static StackContext? Current => CurrentContext.Value;

    public string ProjectName { get; }
    public string StackName { get; }
    public bool IsPreview { get; }
    public StackResource Root { get; }
    public IReadOnlyList<Resource> Resources => _resources;

    /// <summary>Stack outputs, stored on the root resource like Pulumi's.</summary>
    public JsonObject Outputs => Root.Outputs;

    /// <summary>Runs <paramref name="program"/> with a fresh context and returns it with everything registered.</summary>
    /// <param name="defaultProviderConfig">
    /// The inputs of a package's default provider (from the stack's <c>&lt;package&gt;:*</c> config), or null for a
    /// package without provider resources: its resources then name no provider and run on the package's provider.
    /// </param>
    public static StackContext Run(string projectName, string stackName, Action<StackContext> program, bool isPreview = true,
        Func<string, JsonObject?>? defaultProviderConfig = null)
    {
        ArgumentNullException.ThrowIfNull(program);
        var previous = CurrentContext.Value;
        StackContext? context = null;
        try
        {
            CurrentContext.Value = null;
            context = new StackContext(projectName, stackName, isPreview, defaultProviderConfig);
            CurrentContext.Value = context;
            program(context);
            return context;
        }
        finally
        {
            CurrentContext.Value = previous;
        }
    }

    public Resource? Find(Urn urn) => _byUrn.GetValueOrDefault(urn.Value);

    /// <summary>
    /// Makes <paramref name="provider"/> the program's provider for its package: every resource of that package
    /// declared after this call that names no provider (in its options or through a parent) uses it, instead of the
    /// default provider — as if it were passed to each of them.
    /// </summary>
    public void UseProvider(ProviderResource provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (provider.Context != this) throw new InvalidOperationException($"'{provider.Urn}' belongs to another stack program");
        _providers[provider.Package] = provider;
    }

    /// <summary>The program's provider for a package, making the default one on first use; null when the package has none.</summary>
    internal ProviderResource? ProviderFor(string package)
    {
        if (_providers.TryGetValue(package, out var known)) return known;
        var config = _defaultProviderConfig?.Invoke(package);
        var created = config is null ? null : new ProviderResource(package, ProviderResource.DefaultName, config, new CustomResourceOptions(), this);
        _providers[package] = created;
        return created;
    }

    /// <summary>Records a stack output (shown by <c>llmctl stack output</c>).</summary>
    public void Export(string name, object? value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Outputs[name] = ToInput(value);
    }

    /// <summary>
    /// Turns a value into an input node: outputs become placeholders resolved by the engine, JSON nodes are used as
    /// they are, anything else is serialized.
    /// </summary>
    public JsonNode? ToInput(object? value)
    {
        switch (value)
        {
            case null:
                return null;
            case JsonNode node:
                return node;
            case Output output:
                _outputs.Add(output);
                return new JsonObject { [PropertyValues.SigKey] = PropertyValues.OutputSig, ["id"] = _outputs.Count - 1 };
            default:
                return WebJson.ToNode(value);
        }
    }

    /// <summary>
    /// Resolves every deferred placeholder in <paramref name="node"/> against what is known now. A tree without
    /// placeholders is returned as it is (not copied): callers treat resolved inputs as read-only.
    /// </summary>
    public JsonNode? ResolveOutputs(JsonNode? node, IOutputSource source) =>
        _outputs.Count == 0 || !PropertyValues.ContainsOutputPlaceholders(node) ? node : Resolve(node, source);

    private JsonNode? Resolve(JsonNode? node, IOutputSource source) => node switch
    {
        _ when PropertyValues.IsOutputPlaceholder(node) => _outputs[node!["id"]!.GetValue<int>()].ResolveNode(source),
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, Resolve(kv.Value, source)))),
        JsonArray a => new JsonArray(a.Select(n => Resolve(n, source)).ToArray()),
        _ => node?.DeepClone(),
    };

    /// <summary>The resources whose outputs feed the placeholders in <paramref name="node"/>, in document order (repeats kept).</summary>
    public IEnumerable<Resource> OutputDependencies(JsonNode? node)
    {
        if (_outputs.Count == 0) return [];
        List<Resource>? found = null;
        CollectOutputDependencies(node, ref found);
        return found ?? (IEnumerable<Resource>)[];
    }

    private void CollectOutputDependencies(JsonNode? node, ref List<Resource>? found)
    {
        if (PropertyValues.IsOutputPlaceholder(node))
        {
            foreach (var resource in _outputs[node!["id"]!.GetValue<int>()].Resources) (found ??= []).Add(resource);
            return;
        }
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, value) in o) CollectOutputDependencies(value, ref found);
                break;
            case JsonArray a:
                foreach (var item in a) CollectOutputDependencies(item, ref found);
                break;
        }
    }

    internal void Register(Resource resource)
    {
        if (!_byUrn.TryAdd(resource.Urn.Value, resource)) throw new DuplicateUrnException(resource.Urn);
        _resources.Add(resource);
    }
}
