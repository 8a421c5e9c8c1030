using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Llmctl.Engine.Model;

namespace Llmctl.Engine.Providers;

/// <summary>
/// Picks the provider for a resource. A resource that names a provider resource (<c>pulumi:providers:&lt;pkg&gt;</c>)
/// runs on an instance the package's <see cref="IProviderFactory"/> builds from that provider's inputs (one per
/// distinct configuration, built on first use); a resource without one (a package with no factory, or a resource
/// recorded before llmctl had provider resources) runs on the provider registered for its package. Provider
/// resources themselves are served by the engine (<see cref="ProviderResourceProvider"/>).
/// </summary>
public sealed class ProviderRegistry
{
    private readonly Dictionary<string, IProvider> _byPackage = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IProviderFactory> _factories = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<IProvider>> _instances = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IProvider> _providerResources = new(StringComparer.Ordinal);
    private IProvider? _fallback;

    public ProviderRegistry Register(string package, IProvider provider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(package);
        ArgumentNullException.ThrowIfNull(provider);
        _byPackage[package] = provider;
        return this;
    }

    /// <summary>Builds the package's providers from provider resources' inputs (their configuration).</summary>
    public ProviderRegistry RegisterFactory(string package, IProviderFactory factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(package);
        ArgumentNullException.ThrowIfNull(factory);
        _factories[package] = factory;
        return this;
    }

    /// <summary>A provider for every package not registered explicitly (the mocks seam uses this).</summary>
    public ProviderRegistry RegisterFallback(IProvider provider)
    {
        _fallback = provider;
        return this;
    }

    public bool TryGet(string type, out IProvider provider)
    {
        if (ProviderResource.IsProviderType(type))
        {
            var package = ProviderResource.PackageOf(type);
            provider = _providerResources.GetOrAdd(package, p => new ProviderResourceProvider(p, _factories.GetValueOrDefault(p)));
            return true;
        }
        if (_byPackage.TryGetValue(TypeToken.Package(type), out provider!)) return true;
        provider = _fallback!;
        return provider is not null;
    }

    public IProvider Get(string type) => TryGet(type, out var provider)
        ? provider
        : throw new ProviderException($"no provider is registered for package '{TypeToken.Package(type)}' (type {type})");

    /// <summary>The factory of a package, when its providers are built from provider resources.</summary>
    public IProviderFactory? FactoryFor(string package) => _factories.GetValueOrDefault(package);

    /// <summary>
    /// The provider a resource of <paramref name="type"/> runs on. With a provider reference and a factory for the
    /// package, the instance for <paramref name="config"/> (the provider resource's inputs); null when that
    /// configuration is not known yet (the provider's inputs wait on other resources). Otherwise the package's.
    /// </summary>
    public IProvider? Resolve(string type, ProviderReference? reference, JsonObject? config)
    {
        if (reference is not { } r || ProviderResource.IsProviderType(type) || FactoryFor(TypeToken.Package(type)) is not { } factory)
        {
            return Get(type);
        }
        if (config is null || PropertyValues.ContainsUnknowns(config)) return null;
        var key = r.Urn.Value + "\n" + PropertyValues.Reveal(config)!.ToJsonString();
        return _instances.GetOrAdd(key, _ => new Lazy<IProvider>(() => factory.Create(config), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    public IEnumerable<string> Packages => _byPackage.Keys;
}

/// <summary>
/// Makes a package's providers from provider resources (Pulumi's provider <c>CheckConfig</c>, <c>DiffConfig</c> and
/// <c>Configure</c>). Inputs keep their secret wrappers.
/// </summary>
public interface IProviderFactory
{
    /// <summary>Validates a provider resource's inputs before planning; each failure names the input.</summary>
    IReadOnlyList<CheckFailure> CheckConfig(JsonObject inputs);

    /// <summary>
    /// What changed between two configurations. A replace key means the provider now points at another system (a
    /// kubeconfig naming another API server): the provider, and every resource it serves, is replaced.
    /// </summary>
    DiffResult DiffConfig(JsonObject oldInputs, JsonObject newInputs);

    /// <summary>A provider configured by <paramref name="inputs"/>; it must not contact anything until first used.</summary>
    IProvider Create(JsonObject inputs);
}

/// <summary>
/// The engine's own provider for provider resources: creating one records its configuration under a fresh id (a
/// UUID, as Pulumi does), updating keeps the id, deleting forgets it. Diffs and checks are the package factory's.
/// </summary>
public sealed class ProviderResourceProvider(string package, IProviderFactory? factory) : IProvider
{
    public string Package { get; } = package;

    public Task<IReadOnlyList<CheckFailure>> CheckAsync(Urn urn, string type, JsonObject inputs, CancellationToken cancellationToken) =>
        Task.FromResult(factory?.CheckConfig(inputs) ?? []);

    public Task<DiffResult?> DiffAsync(Urn urn, string type, string? id, JsonObject oldInputs, JsonObject oldOutputs, JsonObject newInputs, CancellationToken cancellationToken) =>
        Task.FromResult(factory is null || PropertyValues.ContainsUnknowns(newInputs) ? null : factory.DiffConfig(oldInputs, newInputs));

    public Task<ProviderResult> CreateAsync(Urn urn, string type, JsonObject inputs, TimeSpan timeout, CancellationToken cancellationToken) =>
        Task.FromResult(Configure(urn, Guid.NewGuid().ToString(), inputs));

    public Task<ProviderResult> UpdateAsync(Urn urn, string type, string id, JsonObject oldInputs, JsonObject oldOutputs, JsonObject newInputs, TimeSpan timeout, CancellationToken cancellationToken) =>
        Task.FromResult(Configure(urn, id, newInputs));

    public Task DeleteAsync(Urn urn, string type, string id, JsonObject inputs, JsonObject outputs, TimeSpan timeout, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    public Task<ProviderResult?> ReadAsync(Urn urn, string type, string id, JsonObject inputs, JsonObject outputs, CancellationToken cancellationToken) =>
        Task.FromResult<ProviderResult?>(new ProviderResult(id, (JsonObject)inputs.DeepClone()));

    private ProviderResult Configure(Urn urn, string id, JsonObject inputs)
    {
        if (factory?.CheckConfig(inputs) is { Count: > 0 } failures)
        {
            throw new ProviderException($"provider '{urn.Name}' ({Package}): " + string.Join("; ", failures.Select(f => $"{f.Property}: {f.Reason}")));
        }
        return new ProviderResult(id, (JsonObject)inputs.DeepClone());
    }
}
