using System.Globalization;
using Llmctl.Fit.Estimate;
using Llmctl.Fit.Lock;
using Llmctl.Infra.Switching;
using Llmctl.Policies.Platform;
using Llmctl.Stacks.Config;
using Llmctl.Stacks.Fit;

namespace Llmctl.Infra.Cli;

/// <summary>
/// The vram-fit policy's estimates for a stack on disk: each lane through <see cref="LaneFit"/> (the estimator in
/// <c>fit/Estimate</c>, the lane's settings from the stack file, the model's facts from <c>models.lock.yaml</c>), with
/// the lane's recorded acceptance evidence (<see cref="AcceptanceEvidence"/>) and whether it is stale. A lane the
/// estimator cannot be given (no modelRef, no facts in the lock, no GPU budget) is <see cref="LaneFitVerdict.Unknown"/>
/// with the reason and what to do, never a guessed verdict. The stack file and the lock are read on the first estimate.
/// </summary>
internal sealed class StackLaneFit : ILaneFitSource
{
    private readonly Lazy<StackFit> _stack;
    private readonly string _projectDirectory;
    private readonly string _stackName;

    public StackLaneFit(Func<StackConfig> config, Func<ModelLockFile?> locks, string projectDirectory, string stackName)
    {
        _stack = new Lazy<StackFit>(() => new StackFit(config(), locks()));
        _projectDirectory = projectDirectory;
        _stackName = stackName;
    }

    public static StackLaneFit For(StackWorkspace ws) =>
        new(ws.BindConfig, ws.LoadModelLocks, ws.Loaded.ProjectDirectory, ws.Stack);

    /// <summary>A lock ref's facts as the estimator takes them; null when the lock has no such entry or it has no facts.</summary>
    public static Func<string, ModelFactsRef?> Facts(ModelLockFile? locks) =>
        r => locks?.TryFind(r)?.Facts is { } f ? new ModelFactsRef(r, f) : null;

    /// <summary>The estimate of <paramref name="lane"/> alone on its node's GPU(s), or why there is none.</summary>
    public (FitEstimate? Estimate, string? WhyNot) Estimate(LaneConfig lane, double marginMiB)
    {
        ArgumentNullException.ThrowIfNull(lane);
        var stack = _stack.Value;
        try
        {
            return (LaneFit.Estimate(stack.Config, lane, stack.Facts, marginMiB), null);
        }
        catch (LaneFitException ex)
        {
            return (null, ex.Message);
        }
    }

    public LaneFitResult Estimate(string lane, double marginMiB)
    {
        var config = _stack.Value.Config;
        if (_stack.Value.Lane(lane) is not { } laneConfig)
        {
            return new LaneFitResult(lane, LaneFitVerdict.Unknown, 0, 0, marginMiB, "", $"the stack file has no lane '{lane}'");
        }
        var (estimate, whyNot) = Estimate(laneConfig, marginMiB);
        var evidence = AcceptanceEvidence.Load(_projectDirectory, _stackName, lane);
        var hardware = config.GpuNodes.FirstOrDefault(n => n.Name == (laneConfig.Node ?? laneConfig.Nodes.FirstOrDefault()))?.Hardware;
        var changes = evidence.Changes(laneConfig, hardware, _stack.Value.Locks);
        var result = estimate is null
            ? new LaneFitResult(lane, LaneFitVerdict.Unknown, 0, 0, marginMiB, "", whyNot)
            : new LaneFitResult(lane, Verdict(estimate.Verdict), estimate.TotalMiB, estimate.BudgetMiB, estimate.MarginMiB, Breakdown(estimate),
                estimate.Problems.Concat(estimate.Shortfalls).ToList() is { Count: > 0 } why ? string.Join("; ", why) : null);
        return result with
        {
            Evidence = EvidenceText(evidence),
            StaleEvidence = changes.Count > 0 ? string.Join(", ", changes) : null,
        };
    }

    /// <summary>
    /// The stack file and lock as the estimates read them, with the lanes by name found once (vram-fit asks for every
    /// lane: a scan of the lanes per lane is quadratic on a large stack; the lock finds its entries by ref itself).
    /// </summary>
    private sealed class StackFit
    {
        private readonly Dictionary<string, LaneConfig> _lanes = new(StringComparer.Ordinal);

        public StackFit(StackConfig config, ModelLockFile? locks)
        {
            Config = config;
            Locks = locks;
            // The first of a name wins, as a scan in order finds it.
            foreach (var lane in config.Lanes.Items) _lanes.TryAdd(lane.Name, lane);
            Facts = StackLaneFit.Facts(locks);
        }

        public StackConfig Config { get; }
        public ModelLockFile? Locks { get; }

        /// <summary><see cref="StackLaneFit.Facts"/> of the lock.</summary>
        public Func<string, ModelFactsRef?> Facts { get; }

        public LaneConfig? Lane(string name) => _lanes.GetValueOrDefault(name);
    }

    /// <summary>The breakdown in words: each non-zero part of the GPU total with its MiB, host weights aside.</summary>
    public static string Breakdown(FitEstimate e)
    {
        var parts = new List<string>();
        void Add(string label, double mib)
        {
            if (mib >= 0.5) parts.Add(string.Create(CultureInfo.InvariantCulture, $"{label} {mib:0} MiB"));
        }
        Add("weights", e.WeightsGpuMiB);
        Add("KV cache", e.KvMiB);
        Add("recurrent state", e.RecurrentMiB);
        Add("compute", e.ComputeMiB);
        Add("overhead", e.OverheadMiB);
        var text = string.Join(", ", parts);
        return e.WeightsHostMiB >= 0.5 ? string.Create(CultureInfo.InvariantCulture, $"{text}; {e.WeightsHostMiB:0} MiB of weights in host memory") : text;
    }

    private static string? EvidenceText(AcceptanceEvidence evidence) => evidence switch
    {
        { Error: { } error } => $"acceptance evidence {evidence.DisplayPath} cannot be read ({error})",
        { Record: { } r } => $"acceptance evidence {evidence.DisplayPath}: "
            + (string.Equals(r.Result, "pass", StringComparison.OrdinalIgnoreCase) ? "passed" : $"result {r.Result ?? "missing"}")
            + (r.PeakVramMiB is { } peak ? $", measured peak {peak} MiB" : "")
            + (r.CtxSize is { } ctx ? $" at ctx={ctx}" : "")
            + (r.Recorded is { } when ? $", recorded {when}" : ""),
        _ => null,
    };

    private static LaneFitVerdict Verdict(FitVerdict verdict) => verdict switch
    {
        FitVerdict.Fits => LaneFitVerdict.Fits,
        FitVerdict.InsideMargin => LaneFitVerdict.InsideMargin,
        FitVerdict.DoesNotFit => LaneFitVerdict.DoesNotFit,
        _ => LaneFitVerdict.Refused,
    };
}
