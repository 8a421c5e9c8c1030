using Llmctl.Engine.Model;

namespace Llmctl.Engine.Planning;

/// <summary>
/// The ordered steps that take the checkpoint to the desired state. Creates and updates come in dependency order
/// (parents and dependencies first); deletes come last, in reverse dependency order. A replace is a single
/// <see cref="StepOp.Replace"/> step; its <c>++</c>/<c>--</c> halves are derived for display and execution.
/// </summary>
public sealed record Plan
{
    public required string Project { get; init; }
    public required string Stack { get; init; }
    public IReadOnlyList<Step> Steps { get; init; } = [];
    public IReadOnlyList<Diagnostic> Diagnostics { get; init; } = [];

    /// <summary>
    /// The steps a person sees: all but those of the packages' default providers, which — as in Pulumi — are
    /// configured from stack config, never shown and never counted as changes. Explicit providers are shown.
    /// </summary>
    public IEnumerable<Step> Shown => Steps.Where(s => !ProviderResource.IsDefaultProvider(s.Urn));

    /// <summary>Counts per op (<c>{"create": 2, "same": 3}</c>), of the shown steps.</summary>
    public IReadOnlyDictionary<StepOp, int> ChangeSummary =>
        Shown.GroupBy(s => s.Op).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());

    public bool HasChanges => Shown.Any(s => s.Op.IsChange());

    public Step? Find(Urn urn) => Steps.FirstOrDefault(s => s.Urn == urn);
}
