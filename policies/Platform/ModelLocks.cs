using Llmctl.Components.Gpu;
using Llmctl.Components.Models;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;
using Llmctl.Fit.Lock;

namespace Llmctl.Policies.Platform;

/// <summary>
/// Supply chain for model files: every llama.cpp and vLLM lane, active or parked, serves a model locked in
/// <c>models.lock.yaml</c> with its sha256 and size (the lane's <see cref="LockedModels"/>), and every llama.cpp lane's
/// files are in the prefetch Job of its node, which downloads and verifies exactly those bytes before the lane starts.
/// Ollama lanes pull by name and tag from the registry and have no file to lock; they are not checked here.
/// When the stack's lock file is marked <c>sample:</c> (the repository's own, which nobody could hash; seen on any lock
/// entry the stack uses), an unlocked entry and a lane missing from the lock are reported as the sample's and only warn,
/// whatever the level; with a real lock they are enforced at the policy's level.
/// </summary>
public sealed class ModelLocks : IStackPolicy
{
    public const string PolicyName = "model-locks";

    public string Name => PolicyName;
    public string Description => "Every lane's model is locked with sha256 and size in models.lock.yaml, and llama.cpp lanes' files are in the prefetch list.";
    public EnforcementLevel DefaultEnforcement => EnforcementLevel.Mandatory;

    public IEnumerable<PolicyFinding> Validate(StackContext stack)
    {
        var prefetches = new Prefetches(Workload.All(stack)
            .Where(w => w.Find<LockedModels>() is not null && w.Find<ServingLane>() is null)
            .Select(w => (Node: w.PodSpec["nodeSelector"]?[GpuLabels.Hostname]?.ToString(), Locks: w.Find<LockedModels>()!.Locks)));
        var sample = Workload.All(stack).SelectMany(w => w.Find<LockedModels>()?.Locks ?? []).Select(l => l.Sample).FirstOrDefault(s => s is not null);
        foreach (var lane in Lanes.All(stack))
        {
            foreach (var (problem, ofSample) in Check(lane, prefetches, sample))
            {
                yield return ofSample ? PolicyFinding.Warn(problem, lane.Workload.Owner.Urn) : (problem, lane.Workload.Owner.Urn);
            }
        }
    }

    /// <summary>
    /// The prefetch Jobs' files by node (the Job's <c>kubernetes.io/hostname</c> selector; null when it has none), read
    /// once for every lane: a lane's lookup is by its node and the file's ref and sha256, not a scan of every Job.
    /// </summary>
    private sealed class Prefetches
    {
        private readonly Dictionary<string, HashSet<(string Ref, string? Sha256)>> _byNode = new(StringComparer.Ordinal);
        private HashSet<(string Ref, string? Sha256)>? _unpinned;

        public Prefetches(IEnumerable<(string? Node, IReadOnlyList<ModelLock> Locks)> jobs)
        {
            foreach (var (node, locks) in jobs)
            {
                HashSet<(string, string?)> files;
                if (node is null) files = _unpinned ??= [];
                else if (!_byNode.TryGetValue(node, out files!)) _byNode.Add(node, files = []);
                foreach (var l in locks) files.Add((l.Ref, l.Sha256));
            }
        }

        /// <summary>The files prefetched on <paramref name="node"/>; null when no prefetch Job runs there.</summary>
        public IReadOnlySet<(string Ref, string? Sha256)>? On(string? node) => node is null ? _unpinned : _byNode.GetValueOrDefault(node);
    }

    private static IEnumerable<(string Problem, bool Sample)> Check(LaneWorkload lane, Prefetches prefetches, string? sample)
    {
        string Sample(string why) => $" (models.lock.yaml is a SAMPLE: {why}; once the lock is real and its 'sample:' line deleted, this blocks)";
        var name = lane.Annotation.Name;
        if (lane.Annotation.Runtime == ModelRuntime.Ollama) yield break;
        if (lane.Find<LockedModels>() is not { Locks.Count: > 0 } locked)
        {
            var served = lane.Workload.OfType<ServedModel>().Select(m => m.File).FirstOrDefault();
            var problem = $"lane '{name}' serves {(served is null ? "a model" : $"'{served}'")} that is not in models.lock.yaml, so nothing verifies its bytes; "
                + "add the file to the lock (its sha256 and sizeBytes) and name it in the lane's modelRef";
            yield return sample is null ? (problem, false) : (problem + Sample(sample), true);
            yield break;
        }
        foreach (var entry in locked.Unlocked)
        {
            yield return entry.Sample is { } why
                ? ($"lane '{name}': {entry.UnlockedReason}{Sample(why)}", true)
                : ($"lane '{name}': {entry.UnlockedReason}", false);
        }
        if (lane.Annotation.Runtime != ModelRuntime.LlamaCpp) yield break;
        var node = lane.Annotation.Node;
        var prefetched = prefetches.On(node);
        foreach (var entry in locked.Locks)
        {
            if (!entry.IsLocked || prefetched is not null && prefetched.Contains((entry.Ref, entry.Sha256))) continue;
            yield return (prefetched is null
                ? $"lane '{name}': model '{entry.Ref}' is not prefetched: node '{node}' has no prefetch Job; set lanes.prefetch so the file is downloaded and verified before the lane starts"
                : $"lane '{name}': model '{entry.Ref}' is not in the prefetch list of node '{node}'; add it so it is downloaded and verified before the lane starts", false);
        }
    }
}
