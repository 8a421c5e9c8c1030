using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Providers;

namespace Llmctl.Engine.Testing;

/// <summary>What a mock sees when a resource is created or updated (Pulumi's <c>MockResourceArgs</c>).</summary>
public sealed record MockResourceArgs(string Type, string Name, Urn Urn, JsonObject Inputs, string? Id);

/// <summary>
/// The mocks seam, shaped like Pulumi's <c>IMocks</c>: run a stack's <c>up</c>, <c>refresh</c> and <c>destroy</c>
/// in-process with no cluster, deciding what each "created" resource reports. Implement it or mock it with Moq.
/// </summary>
public interface IMocks
{
    /// <summary>The id and outputs of a resource being created or updated. Return the inputs to echo them.</summary>
    Task<(string? Id, JsonObject State)> NewResourceAsync(MockResourceArgs args);

    /// <summary>Called when a resource is deleted.</summary>
    Task DeleteResourceAsync(MockResourceArgs args) => Task.CompletedTask;
}

/// <summary>A mock that echoes inputs as outputs and ids as the resource name.</summary>
public sealed class EchoMocks : IMocks
{
    public Task<(string? Id, JsonObject State)> NewResourceAsync(MockResourceArgs args) =>
        Task.FromResult<(string?, JsonObject)>((args.Id ?? args.Name, (JsonObject)args.Inputs.DeepClone()));
}

/// <summary>
/// An <see cref="IProvider"/> over <see cref="IMocks"/> that also remembers what "exists", so refresh and destroy
/// behave like a real provider: reads return what was created until it is deleted (or <see cref="Forget"/>ten).
/// </summary>
public sealed class MockProvider(IMocks mocks) : IProvider
{
    private readonly ConcurrentDictionary<string, ProviderResult> _live = new(StringComparer.Ordinal);

    /// <summary>Objects the mock considers live, by URN.</summary>
    public IReadOnlyDictionary<string, ProviderResult> Live => _live;

    /// <summary>Every call in order, for assertions (<c>create urn</c>, <c>update urn</c>, <c>delete urn</c>).</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Simulates an object vanishing behind llmctl's back (a refresh then drops it).</summary>
    public void Forget(Urn urn) => _live.TryRemove(urn.Value, out _);

    /// <summary>Simulates drift: the live object's outputs are replaced.</summary>
    public void Drift(Urn urn, JsonObject outputs) => _live[urn.Value] = _live[urn.Value] with { Outputs = outputs };

    public Task<IReadOnlyList<CheckFailure>> CheckAsync(Urn urn, string type, JsonObject inputs, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<CheckFailure>>([]);

    public Task<DiffResult?> DiffAsync(Urn urn, string type, string? id, JsonObject oldInputs, JsonObject oldOutputs, JsonObject newInputs, CancellationToken cancellationToken) =>
        Task.FromResult<DiffResult?>(null);

    public async Task<ProviderResult> CreateAsync(Urn urn, string type, JsonObject inputs, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"create {urn}");
        var (id, state) = await mocks.NewResourceAsync(new MockResourceArgs(type, urn.Name, urn, inputs, null)).ConfigureAwait(false);
        var result = new ProviderResult(id ?? urn.Name, state);
        _live[urn.Value] = result;
        return result;
    }

    public async Task<ProviderResult> UpdateAsync(Urn urn, string type, string id, JsonObject oldInputs, JsonObject oldOutputs, JsonObject newInputs, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"update {urn}");
        var (newId, state) = await mocks.NewResourceAsync(new MockResourceArgs(type, urn.Name, urn, newInputs, id)).ConfigureAwait(false);
        var result = new ProviderResult(newId ?? id, state);
        _live[urn.Value] = result;
        return result;
    }

    public async Task DeleteAsync(Urn urn, string type, string id, JsonObject inputs, JsonObject outputs, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"delete {urn}");
        await mocks.DeleteResourceAsync(new MockResourceArgs(type, urn.Name, urn, inputs, id)).ConfigureAwait(false);
        _live.TryRemove(urn.Value, out _);
    }

    public Task<ProviderResult?> ReadAsync(Urn urn, string type, string id, JsonObject inputs, JsonObject outputs, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"read {urn}");
        return Task.FromResult(_live.TryGetValue(urn.Value, out var live) ? live : null);
    }
}
