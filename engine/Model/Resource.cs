using System.Text.Json.Nodes;

namespace Llmctl.Engine.Model;

/// <summary>
/// A node of the desired tree. Custom resources are backed by a provider; components group children and have no
/// provider. Resources register themselves with the <see cref="StackContext"/> that is running the program.
/// </summary>
public abstract class Resource
{
    private readonly List<Resource> _children = [];
    private readonly List<Resource> _extraDependencies = [];

    private protected Resource(string type, string name, ResourceOptions? options, StackContext? context = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!TypeToken.IsValid(type))
        {
            throw new ArgumentException($"'{type}' is not a type token of the form <package>:<module>:<Type>", nameof(type));
        }
        Context = context ?? StackContext.Current
            ?? throw new InvalidOperationException("Resources can only be created inside a stack program (StackContext.Run).");
        Type = type;
        Name = name;
        RawOptions = options ?? new ResourceOptions();
        Parent = this is StackResource ? null : RawOptions.Parent ?? Context.Root;
        if (Parent is not null && Parent.Context != Context)
        {
            throw new InvalidOperationException($"Parent of '{name}' belongs to another stack program.");
        }
        var parentQualified = Parent is null or StackResource ? null : Parent.Urn.QualifiedType;
        Urn = Urn.Create(Context.StackName, Context.ProjectName, parentQualified, type, name);
        Protect = RawOptions.Protect ?? Parent?.Protect ?? false;
        RetainOnDelete = RawOptions.RetainOnDelete ?? Parent?.RetainOnDelete ?? false;
        if (this is not ComponentResource && !ProviderResource.IsProviderType(type))
        {
            var package = TypeToken.Package(type);
            if (RawOptions.Provider is { } given && given.Package != package)
            {
                throw new ArgumentException($"'{name}' ({type}) cannot use the provider '{given.Name}': it serves package '{given.Package}', not '{package}'", nameof(options));
            }
            // Registered before this resource when it is the default one, so the program order stays topological.
            Provider = RawOptions.Provider ?? Parent?.ProviderFor(package) ?? Context.ProviderFor(package);
        }
        Parent?._children.Add(this);
        Context.Register(this);
    }

    public StackContext Context { get; }
    public string Type { get; }
    public string Name { get; }
    public Urn Urn { get; }
    public Resource? Parent { get; }
    public IReadOnlyList<Resource> Children => _children;
    /// <summary>The options as given, before inheritance.</summary>
    public ResourceOptions RawOptions { get; }
    /// <summary>Effective protect flag (inherited from the parent unless set).</summary>
    public bool Protect { get; }
    /// <summary>Effective retain-on-delete flag (inherited from the parent unless set).</summary>
    public bool RetainOnDelete { get; }
    public AnnotationCollection Annotations { get; } = new();
    /// <summary>The provider a custom resource uses (null for components, provider resources, and packages without provider resources).</summary>
    public ProviderResource? Provider { get; }

    /// <summary>The provider this resource hands down to its children of <paramref name="package"/>, if any (its own or its parent's).</summary>
    internal ProviderResource? ProviderFor(string package)
    {
        if (RawOptions.Provider is { } own && own.Package == package) return own;
        if (RawOptions is ComponentResourceOptions { Providers: var list } && list.FirstOrDefault(p => p.Package == package) is { } listed) return listed;
        return Parent?.ProviderFor(package);
    }

    public abstract bool IsCustom { get; }

    /// <summary>
    /// <see cref="ResourceOptions.DependsOn"/> plus dependencies added after construction (a composition pass that
    /// orders Kubernetes objects after their Namespace or CRD, say).
    /// </summary>
    public IReadOnlyList<Resource> Dependencies => _extraDependencies.Count == 0 ? RawOptions.DependsOn : [.. RawOptions.DependsOn, .. _extraDependencies];

    /// <summary>Adds a dependency after construction; it must be registered in the same stack and not be this resource.</summary>
    public void DependOn(Resource other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Context != Context) throw new InvalidOperationException($"'{other.Urn}' belongs to another stack program");
        if (ReferenceEquals(other, this)) throw new InvalidOperationException($"'{Urn}' cannot depend on itself");
        if (!_extraDependencies.Contains(other)) _extraDependencies.Add(other);
    }

    /// <summary>Attaches a typed fact for policies and verbs to read; returns this resource for chaining.</summary>
    public Resource Annotate(IResourceAnnotation annotation)
    {
        Annotations.Add(annotation);
        return this;
    }

    /// <summary>This resource and all its descendants, depth first.</summary>
    public IEnumerable<Resource> DescendantsAndSelf()
    {
        yield return this;
        foreach (var child in _children)
        {
            foreach (var d in child.DescendantsAndSelf()) yield return d;
        }
    }

    public override string ToString() => Urn.Value;
}

/// <summary>A provider-backed resource with JSON inputs (which may hold secrets and deferred outputs).</summary>
public class CustomResource : Resource
{
    public CustomResource(string type, string name, JsonObject inputs, CustomResourceOptions? options = null, StackContext? context = null)
        : base(type, name, options, context)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        Inputs = inputs;
        Options = options ?? new CustomResourceOptions();
    }

    public JsonObject Inputs { get; }
    public CustomResourceOptions Options { get; }
    public override bool IsCustom => true;

    /// <summary>A deferred output property of this resource.</summary>
    public Output<T> GetOutput<T>(string property) => Output.Of<T>(this, property);
}

/// <summary>A logical grouping of child resources (Pulumi's <c>ComponentResource</c>).</summary>
public class ComponentResource : Resource
{
    public ComponentResource(string type, string name, ComponentResourceOptions? options = null, StackContext? context = null)
        : base(type, name, options, context)
    {
    }

    public override bool IsCustom => false;

    /// <summary>Outputs recorded on the component in the checkpoint.</summary>
    public JsonObject Outputs { get; } = new();

    public void RegisterOutputs(IReadOnlyDictionary<string, object?> outputs)
    {
        foreach (var (key, value) in outputs) Outputs[key] = Context.ToInput(value);
    }
}

/// <summary>The root of every stack: <c>pulumi:pulumi:Stack</c> named <c>&lt;project&gt;-&lt;stack&gt;</c>.</summary>
public sealed class StackResource : ComponentResource
{
    public const string TypeToken = "pulumi:pulumi:Stack";

    internal StackResource(StackContext context)
        : base(TypeToken, $"{context.ProjectName}-{context.StackName}", null, context)
    {
    }
}
