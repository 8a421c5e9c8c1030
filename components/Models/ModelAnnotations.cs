using Llmctl.Engine.Model;

namespace Llmctl.Components.Models;

public enum ModelRuntime
{
    LlamaCpp,
    Ollama,
    Vllm,
}

/// <summary>
/// The model a lane serves and the settings that decide its GPU memory: the GGUF file, the name clients see, the
/// context, the KV cache types and the number of slots.
/// </summary>
public sealed record ServedModel(
    string File,
    string Alias,
    int CtxSize,
    KvCacheType CacheTypeK,
    KvCacheType CacheTypeV,
    int Parallel) : IResourceAnnotation;

/// <summary>
/// The resource is the model server of lane <paramref name="Name"/>, on <paramref name="Node"/> when pinned; active
/// lanes run one replica, parked lanes none. Policies read the replica count from the object itself.
/// </summary>
public sealed record ServingLane(string Name, ModelRuntime Runtime, string? Node, bool Active) : IResourceAnnotation;

/// <summary>
/// The stack marks this lane's profile broken (<c>lanes.items[].broken</c>) for <paramref name="Reason"/>: it may stay
/// declared and parked, and the known-broken policy refuses to run it.
/// </summary>
public sealed record KnownBroken(string Reason) : IResourceAnnotation;
