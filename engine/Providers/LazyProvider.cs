using System.Text.Json.Nodes;
using Llmctl.Engine.Model;

namespace Llmctl.Engine.Providers;

/// <summary>
/// Builds a provider on its first call, so a stack that never touches a package never needs its credentials
/// (a preview with no Tailscale resources must not ask for a Tailscale API key).
/// </summary>
public sealed class LazyProvider(Func<IProvider> factory) : IProvider
{
    private readonly Lazy<IProvider> _inner = new(factory, LazyThreadSafetyMode.ExecutionAndPublication);

    public Task<IReadOnlyList<CheckFailure>> CheckAsync(Urn urn, string type, JsonObject inputs, CancellationToken cancellationToken) =>
        _inner.Value.CheckAsync(urn, type, inputs, cancellationToken);

    public Task<DiffResult?> DiffAsync(Urn urn, string type, string? id, JsonObject oldInputs, JsonObject oldOutputs, JsonObject newInputs, CancellationToken cancellationToken) =>
        _inner.Value.DiffAsync(urn, type, id, oldInputs, oldOutputs, newInputs, cancellationToken);

    public Task<ProviderResult> CreateAsync(Urn urn, string type, JsonObject inputs, TimeSpan timeout, CancellationToken cancellationToken) =>
        _inner.Value.CreateAsync(urn, type, inputs, timeout, cancellationToken);

    public Task<ProviderResult> UpdateAsync(Urn urn, string type, string id, JsonObject oldInputs, JsonObject oldOutputs, JsonObject newInputs, TimeSpan timeout, CancellationToken cancellationToken) =>
        _inner.Value.UpdateAsync(urn, type, id, oldInputs, oldOutputs, newInputs, timeout, cancellationToken);

    public Task DeleteAsync(Urn urn, string type, string id, JsonObject inputs, JsonObject outputs, TimeSpan timeout, CancellationToken cancellationToken) =>
        _inner.Value.DeleteAsync(urn, type, id, inputs, outputs, timeout, cancellationToken);

    public Task<ProviderResult?> ReadAsync(Urn urn, string type, string id, JsonObject inputs, JsonObject outputs, CancellationToken cancellationToken) =>
        _inner.Value.ReadAsync(urn, type, id, inputs, outputs, cancellationToken);
}
