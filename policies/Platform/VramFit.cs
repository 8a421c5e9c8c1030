using System.Globalization;
using System.Text.Json.Nodes;
using Llmctl.Components.Models;
using Llmctl.Engine.Model;
using Llmctl.Engine.Policy;

namespace Llmctl.Policies.Platform;

/// <summary>What the VRAM estimate of one lane on its node's GPU(s) concluded.</summary>
public enum LaneFitVerdict
{
    Fits,
    /// <summary>It fits, with less than the margin left.</summary>
    InsideMargin,
    DoesNotFit,
    /// <summary>The server would refuse the settings before taking any memory.</summary>
    Refused,
    /// <summary>No estimate: the lock has no facts for the model, or the node no budget.</summary>
    Unknown,
}

/// <summary>
/// One lane's estimate as the vram-fit policy and preflight read it: the verdict, the GPU total against the budget,
/// the margin, and the breakdown in words (weights, KV cache, compute, overhead — each with its MiB).
/// </summary>
public sealed record LaneFitResult(string Lane, LaneFitVerdict Verdict, double TotalMiB, double BudgetMiB, double MarginMiB, string Breakdown, string? Reason = null)
{
    /// <summary>The lane's recorded acceptance evidence in words (measured peak, where and when), null when none is recorded.</summary>
    public string? Evidence { get; init; }

    /// <summary>What changed since the evidence was recorded (<c>ctxSize 32768 -> 49152, cacheTypeK q8_0 -> f16</c>); null when it still describes the lane.</summary>
    public string? StaleEvidence { get; init; }
}

/// <summary>
/// Estimates a lane of the stack (by name) with a margin in MiB. The stack's composition root provides it over the VRAM
/// estimator in <c>fit/Estimate</c>; the policy stays free of how lanes map to the estimator's inputs.
/// </summary>
public interface ILaneFitSource
{
    LaneFitResult Estimate(string lane, double marginMiB);
}

/// <summary>
/// Fit before switch: every lane (llama.cpp, vLLM and Ollama), active or parked, is estimated on its node's GPU. A running
/// lane over budget (or refused) blocks; one inside the margin warns; a parked lane that could not fit warns now, so it is
/// known before someone activates it (preflight evaluates it as active, where it blocks). A lane that cannot be estimated
/// (no lock facts) warns with what to do, never a guessed verdict. The breakdown is in the message, with the lane's
/// recorded acceptance evidence; evidence recorded under other settings than the lane's warns as stale.
/// </summary>
public sealed class VramFit(ILaneFitSource source) : IStackPolicy, IConfigurablePolicy
{
    public const string PolicyName = "vram-fit";
    public const double DefaultMarginMiB = 1024;

    public string Name => PolicyName;
    public string Description => $"Every lane, active or parked, fits its GPU's memory with a {MarginMiB:0} MiB margin (the estimate's breakdown in the message).";
    public EnforcementLevel DefaultEnforcement => EnforcementLevel.Mandatory;
    public double MarginMiB { get; init; } = DefaultMarginMiB;

    public IReadOnlyCollection<string> OptionNames { get; } = ["marginMiB"];

    public IPolicy Configure(JsonObject options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.TryGetPropertyValue("marginMiB", out var node)) return this;
        return node is JsonValue v && double.TryParse(v.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var margin) && margin >= 0
            ? new VramFit(source) { MarginMiB = margin }
            : throw new PolicySettingsException($"{PolicyName}.marginMiB", $"'{node?.ToJsonString()}' is not a number of MiB (0 or more)");
    }

    public IEnumerable<PolicyFinding> Validate(StackContext stack)
    {
        // llama.cpp and vLLM lanes are Deployments; an Ollama lane is a Helm release per node (its ServingLane on the
        // release), estimated once.
        var lanes = Lanes.All(stack).Select(l => (l.Annotation, l.Workload.Owner.Urn, l.Running))
            .Concat(stack.Resources.Select(r => (Lane: r.Annotations.Find<ServingLane>(), r.Urn))
                .Where(x => x.Lane is { Runtime: ModelRuntime.Ollama }).Select(x => (Annotation: x.Lane!, x.Urn, Running: x.Lane!.Active)))
            .DistinctBy(l => l.Annotation.Name);
        foreach (var lane in lanes)
        {
            var fit = source.Estimate(lane.Annotation.Name, MarginMiB);
            var urn = lane.Urn;
            var name = lane.Annotation.Name;
            var evidence = fit.Evidence is not { } ev ? ""
                : fit.StaleEvidence is { } changed && fit.Verdict != LaneFitVerdict.Fits ? $"; {ev} (stale: {changed})" : $"; {ev}";
            var numbers = $"{fit.TotalMiB:0} MiB of {fit.BudgetMiB:0} MiB ({fit.Breakdown}){evidence}";
            switch (fit.Verdict)
            {
                case LaneFitVerdict.Fits:
                    if (fit.StaleEvidence is { } stale)
                    {
                        yield return PolicyFinding.Warn($"lane '{name}' fits by the estimate ({numbers}), but its acceptance evidence is stale: it was recorded with {stale}; "
                            + "measure it again (llmctl bench) before trusting the recorded peak", urn);
                    }
                    break;
                case LaneFitVerdict.Unknown:
                    yield return PolicyFinding.Warn($"lane '{name}' cannot be estimated: {fit.Reason}", urn);
                    break;
                case LaneFitVerdict.InsideMargin:
                    yield return PolicyFinding.Warn($"lane '{name}' needs {numbers}, leaving less than the {fit.MarginMiB:0} MiB margin; "
                        + "lower ctxSize or parallel, or quantize the KV cache (q8_0)", urn);
                    break;
                default:
                    var why = fit.Verdict == LaneFitVerdict.Refused ? $"would be refused by the server: {fit.Reason}" : $"does not fit: it needs {numbers}";
                    var fix = "lower ctxSize or parallel, quantize the KV cache, or keep fewer layers on the GPU";
                    yield return lane.Running
                        ? ($"lane '{name}' {why}; {fix}", urn)
                        : PolicyFinding.Warn($"parked lane '{name}' {why}; do not activate it until it fits ({fix})", urn);
                    break;
            }
        }
    }
}
