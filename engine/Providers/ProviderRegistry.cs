using Llmctl.Engine.Model;

namespace Llmctl.Engine.Providers;

/// <summary>Picks the provider for a type token by its package (<c>kubernetes</c>, <c>command</c>, <c>tailscale</c>).</summary>
public sealed class ProviderRegistry
{
    private readonly Dictionary<string, IProvider> _byPackage = new(StringComparer.Ordinal);
    private IProvider? _fallback;

    public ProviderRegistry Register(string package, IProvider provider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(package);
        ArgumentNullException.ThrowIfNull(provider);
        _byPackage[package] = provider;
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
        if (_byPackage.TryGetValue(TypeToken.Package(type), out provider!)) return true;
        provider = _fallback!;
        return provider is not null;
    }

    public IProvider Get(string type) => TryGet(type, out var provider)
        ? provider
        : throw new ProviderException($"no provider is registered for package '{TypeToken.Package(type)}' (type {type})");

    public IEnumerable<string> Packages => _byPackage.Keys;
}
