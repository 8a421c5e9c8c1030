using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.State;

namespace Llmctl.Engine.Providers;

/// <summary>
/// The configurations of provider resources by reference (<c>urn::id</c>), so a resource recorded against a
/// provider — even one replaced since, pointing at another cluster — is read and deleted with the configuration it
/// was created with. Seeded from a checkpoint; a run records each provider it creates or updates.
/// </summary>
public sealed class ProviderStates
{
    private readonly ConcurrentDictionary<string, JsonObject> _byReference = new(StringComparer.Ordinal);

    public static ProviderStates Of(StackCheckpoint checkpoint)
    {
        var states = new ProviderStates();
        foreach (var r in checkpoint.Resources.Concat(checkpoint.PendingOperations.Select(p => p.Resource))) states.Record(r);
        return states;
    }

    /// <summary>Remembers a provider resource's configuration under its reference; other resources are ignored.</summary>
    public void Record(ResourceState state)
    {
        if (ProviderResource.IsProviderType(state.Type) && state.Id is { Length: > 0 } id)
        {
            _byReference[new ProviderReference(state.Urn, id).ToString()] = state.Inputs;
        }
    }

    public JsonObject? ConfigOf(ProviderReference reference) => _byReference.GetValueOrDefault(reference.ToString());

    /// <summary>
    /// The provider a recorded resource was created with. A resource recorded before llmctl had provider resources
    /// names none and runs on the package's provider (configured like the default provider, from stack config).
    /// </summary>
    public IProvider For(ProviderRegistry registry, ResourceState recorded)
    {
        var reference = recorded.ProviderRef;
        return registry.Resolve(recorded.Type, reference, reference is { } r ? ConfigOf(r) : null)
            ?? throw new ProviderException($"the configuration of provider '{reference!.Value.Urn.Name}' that {recorded.Urn.Name} was recorded with is not in the checkpoint");
    }
}
