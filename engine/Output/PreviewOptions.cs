using System.Collections.ObjectModel;
using Llmctl.Engine.Policy;

namespace Llmctl.Engine.Output;

/// <summary>What <see cref="PreviewRenderer"/> shows. The CLI decides <see cref="Color"/> (a TTY and no <c>NO_COLOR</c>).</summary>
public sealed record PreviewOptions
{
    public bool Color { get; init; }
    /// <summary>Show unchanged resources (<c>--show-sames</c>); otherwise only changed ones and their ancestors.</summary>
    public bool ShowSames { get; init; }
    /// <summary>Show a replace as its <c>++</c>/<c>--</c> rows rather than one <c>+-</c> row (<c>--show-replacement-steps</c>).</summary>
    public bool ShowReplacementSteps { get; init; }
    /// <summary>Print property-level diffs under each changed resource (<c>--diff</c>).</summary>
    public bool Diff { get; init; }
    public IReadOnlyList<Violation> PolicyViolations { get; init; } = [];
    /// <summary>Pack name → version, for the <c>pack v0.1.0</c> part of a violation.</summary>
    public IReadOnlyDictionary<string, string> PolicyPackVersions { get; init; } = ReadOnlyDictionary<string, string>.Empty;
    /// <summary>Which packs and policies ran; when set, the <c>Policies:</c> summary is printed even when all passed.</summary>
    public PolicyReport? PolicyReport { get; init; }
}
