namespace Llmctl.Engine.Model;

/// <summary>
/// Options every resource accepts. Inheritance follows Pulumi: a child inherits <see cref="Protect"/> and
/// <see cref="RetainOnDelete"/> from its parent unless it sets them; <see cref="DependsOn"/>,
/// <see cref="IgnoreChanges"/>, <see cref="ReplaceOnChanges"/>, <see cref="Aliases"/> and
/// <see cref="CustomTimeouts"/> are never inherited.
/// </summary>
public record ResourceOptions
{
    public Resource? Parent { get; init; }
    public IReadOnlyList<Resource> DependsOn { get; init; } = [];
    /// <summary>Refuse to delete the resource. Inherited by children.</summary>
    public bool? Protect { get; init; }
    /// <summary>Input property paths (<c>a.b[0].c</c>, <c>*</c> wildcards) whose changes are ignored after create.</summary>
    public IReadOnlyList<string> IgnoreChanges { get; init; } = [];
    /// <summary>Input property paths whose changes force a replace rather than an update; <c>*</c> means any.</summary>
    public IReadOnlyList<string> ReplaceOnChanges { get; init; } = [];
    /// <summary>Drop the resource from state on delete but leave the real object alone. Inherited by children.</summary>
    public bool? RetainOnDelete { get; init; }
    public IReadOnlyList<Alias> Aliases { get; init; } = [];
    public CustomTimeouts? CustomTimeouts { get; init; }
    /// <summary>
    /// The provider a custom resource of its package uses; on a component, inherited by the children of that
    /// package (Pulumi's <c>provider</c> option). Null: the parent's, else the program's, else the default provider.
    /// </summary>
    public ProviderResource? Provider { get; init; }
}

/// <summary>Options only a custom (provider-backed) resource accepts.</summary>
public sealed record CustomResourceOptions : ResourceOptions
{
    /// <summary>Delete the old object before creating its replacement (needed when names cannot coexist).</summary>
    public bool DeleteBeforeReplace { get; init; }
    /// <summary>Output property names the provider returns that must be treated as secrets.</summary>
    public IReadOnlyList<string> AdditionalSecretOutputs { get; init; } = [];
}

/// <summary>Options a component resource accepts.</summary>
public sealed record ComponentResourceOptions : ResourceOptions
{
    /// <summary>Providers the component's children use, one per package (Pulumi's <c>providers</c>); inherited.</summary>
    public IReadOnlyList<ProviderResource> Providers { get; init; } = [];
}

/// <summary>
/// A previous identity of a resource, so a rename or re-parent is an update rather than a delete and a create.
/// Either <see cref="Urn"/> alone, or any of the parts, the rest taken from the resource itself.
/// </summary>
public sealed record Alias
{
    public string? Urn { get; init; }
    public string? Name { get; init; }
    public string? Type { get; init; }
    public string? Stack { get; init; }
    public string? Project { get; init; }
    public Resource? Parent { get; init; }
    public string? ParentUrn { get; init; }
    public bool NoParent { get; init; }
}

public sealed record CustomTimeouts
{
    public TimeSpan? Create { get; init; }
    public TimeSpan? Update { get; init; }
    public TimeSpan? Delete { get; init; }
}
