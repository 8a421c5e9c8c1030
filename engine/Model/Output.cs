using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Llmctl.Engine.Model;

/// <summary>What an output holds once asked: known or not, its value, whether it is secret, which resources it came from.</summary>
public readonly record struct OutputData<T>(bool IsKnown, T? Value, bool IsSecret, ImmutableHashSet<Resource> Resources);

/// <summary>Answers for the outputs of resources while a plan or an apply is running.</summary>
public interface IOutputSource
{
    /// <summary>The resource's outputs, or null while they are not known (the resource is yet to be created or changed).</summary>
    JsonObject? OutputsOf(Resource resource);
}

/// <summary>A value known only when the stack is applied (a kubeconfig, a generated key, an endpoint).</summary>
public abstract class Output
{
    public abstract ImmutableHashSet<Resource> Resources { get; }

    /// <summary>The value as a JSON node for a resource input: secret-wrapped when secret, the unknown sentinel when unknown.</summary>
    internal abstract JsonNode? ResolveNode(IOutputSource source);

    public static Output<T> Create<T>(T value) => new(_ => new OutputData<T>(true, value, false, []));

    public static Output<T> CreateSecret<T>(T value) => new(_ => new OutputData<T>(true, value, true, []));

    /// <summary>A secret computed on first use (a config value decrypted only when a resource reads it), once.</summary>
    public static Output<T> CreateSecret<T>(Lazy<T> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(_ => new OutputData<T>(true, value.Value, true, []));
    }

    public static Output<T> Unknown<T>() => new(_ => new OutputData<T>(false, default, false, []));

    public static Output<(T1, T2)> Tuple<T1, T2>(Output<T1> a, Output<T2> b) => new(src =>
    {
        var x = a.Resolve(src);
        var y = b.Resolve(src);
        var known = x.IsKnown && y.IsKnown;
        return new OutputData<(T1, T2)>(known, known ? (x.Value!, y.Value!) : default, x.IsSecret || y.IsSecret,
            x.Resources.Union(y.Resources));
    });

    /// <summary>An output property of a resource, read by JSON path segment (<c>status.loadBalancer</c>).</summary>
    public static Output<T> Of<T>(Resource resource, string property) => new(src =>
    {
        var outputs = src.OutputsOf(resource);
        if (outputs is null) return new OutputData<T>(false, default, false, [resource]);
        JsonNode? node = outputs;
        foreach (var segment in property.Split('.'))
        {
            node = PropertyValues.Unwrap(node) is JsonObject o ? o[segment] : null;
        }
        var secret = PropertyValues.IsSecret(node) || (resource is CustomResource c && c.Options.AdditionalSecretOutputs.Contains(property));
        var raw = PropertyValues.Unwrap(node);
        if (PropertyValues.IsUnknown(raw)) return new OutputData<T>(false, default, secret, [resource]);
        var value = WebJson.FromNode<T>(raw);
        return new OutputData<T>(true, value, secret, [resource]);
    });
}

public sealed class Output<T> : Output
{
    private readonly Func<IOutputSource, OutputData<T>> _resolve;
    private ImmutableHashSet<Resource>? _resources;

    internal Output(Func<IOutputSource, OutputData<T>> resolve) => _resolve = resolve;

    public override ImmutableHashSet<Resource> Resources =>
        _resources ??= _resolve(NothingKnown.Instance).Resources;

    public OutputData<T> Resolve(IOutputSource source) => _resolve(source);

    /// <summary>Transforms the value once known; unknown stays unknown and secret stays secret.</summary>
    public Output<TResult> Apply<TResult>(Func<T, TResult> func) => new(src =>
    {
        var data = _resolve(src);
        return data.IsKnown
            ? new OutputData<TResult>(true, func(data.Value!), data.IsSecret, data.Resources)
            : new OutputData<TResult>(false, default, data.IsSecret, data.Resources);
    });

    public Output<T> AsSecret() => new(src => _resolve(src) with { IsSecret = true });

    internal override JsonNode? ResolveNode(IOutputSource source)
    {
        var data = _resolve(source);
        JsonNode? node = data.IsKnown
            ? WebJson.ToNode(data.Value)
            : PropertyValues.Unknown();
        return data.IsSecret ? PropertyValues.Secret(node) : node;
    }

    public static implicit operator Output<T>(T value) => Create(value);

    private sealed class NothingKnown : IOutputSource
    {
        public static readonly NothingKnown Instance = new();
        public JsonObject? OutputsOf(Resource resource) => null;
    }
}
