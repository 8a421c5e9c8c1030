namespace Llmctl.Infra.Cli;

/// <summary>
/// Reading a large stack file leaves tens of MiB of parser garbage (YamlDotNet's tokens, events and buffers) and little
/// that lives on (the document tree and the lock entries). Collecting the youngest generation right then copies only
/// that little, and composing thousands of objects next reuses the freed memory instead of faulting in fresh pages;
/// left to itself the collector first runs in the middle of composing, when far more is alive to copy. On the
/// 10,000-resource stack this took the native preview from 1.54 s to 1.29 s (interleaved medians, docs/benchmarks.md).
/// A small stack allocates a few MiB in all, too little to pay for a collection, so it runs only past a threshold, and
/// only for verbs that compose next (<c>StackWorkspace.Open</c> with <c>readsModelLocks</c>).
/// </summary>
internal static class ParserGarbage
{
    /// <summary>Allocated since the process started: a large stack's load is ~60 MiB, the homelab's under 1.</summary>
    internal const long Threshold = 32L * 1024 * 1024;

    /// <summary>Collects the youngest generation when the process has allocated more than <see cref="Threshold"/>.</summary>
    /// <returns>Whether it collected.</returns>
    public static bool CollectIfLarge() => CollectIfLarge(GC.GetTotalAllocatedBytes());

    internal static bool CollectIfLarge(long allocatedSoFar)
    {
        if (allocatedSoFar <= Threshold) return false;
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        return true;
    }
}
