using System.Globalization;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Policy;

namespace Llmctl.Engine.Output;

/// <summary>Words, keys and counts shared by the preview, the digest, the Markdown summary and progress lines.</summary>
internal static class StepText
{
    /// <summary>The preview's Plan column (Pulumi's <c>getPreviewText</c>); empty for unchanged resources.</summary>
    public static string Plan(StepOp op) => op switch
    {
        StepOp.Same => "",
        StepOp.CreateReplacement => "create replacement",
        StepOp.DeleteReplaced => "delete original",
        _ => op.Json(),
    };

    /// <summary>What a running step is doing (<c>creating</c>).</summary>
    public static string Progressive(StepOp op) => op switch
    {
        StepOp.Same => "unchanged",
        StepOp.Create => "creating",
        StepOp.Update => "updating",
        StepOp.Delete => "deleting",
        StepOp.Replace => "replacing",
        StepOp.CreateReplacement => "creating replacement",
        StepOp.DeleteReplaced => "deleting original",
        StepOp.Read => "reading",
        StepOp.Refresh => "refreshing",
        _ => op.Json(),
    };

    /// <summary>The ops the <c>Resources:</c> summary lists, in Pulumi's order; the halves of a replace count as the replace.</summary>
    public static readonly StepOp[] SummaryOps = [StepOp.Create, StepOp.Update, StepOp.Delete, StepOp.Replace, StepOp.Read, StepOp.Refresh];

    /// <summary>
    /// <c>[diff: +a,b~c-d]</c> content (without the brackets): top-level keys added, updated and deleted, from the
    /// detailed diff, else from the diff reasons (as updates). A key changed below the top level is an update.
    /// </summary>
    public static string DiffKeys(Step step)
    {
        var order = new List<string>();
        var kinds = new Dictionary<string, char>(StringComparer.Ordinal);
        void Add(string key, char kind)
        {
            if (kinds.TryGetValue(key, out var existing))
            {
                if (existing != kind) kinds[key] = '~';
                return;
            }
            kinds[key] = kind;
            order.Add(key);
        }
        foreach (var diff in step.DetailedDiff)
        {
            var (top, nested) = TopLevelKey(diff.Path);
            var kind = nested ? '~' : diff.Kind switch
            {
                DiffKind.Add or DiffKind.AddReplace => '+',
                DiffKind.Delete or DiffKind.DeleteReplace => '-',
                _ => '~',
            };
            Add(top, kind);
        }
        if (step.DetailedDiff.Count == 0)
        {
            foreach (var reason in step.DiffReasons) Add(TopLevelKey(reason).Key, '~');
        }
        var text = new System.Text.StringBuilder();
        foreach (var kind in "+~-")
        {
            var keys = order.Where(k => kinds[k] == kind).ToArray();
            if (keys.Length == 0) continue;
            text.Append(kind).AppendJoin(',', keys);
        }
        return text.ToString();
    }

    /// <summary>The first segment of a property path: <c>spec</c> of <c>spec.replicas</c>, <c>a.b</c> of <c>["a.b"].c</c>.</summary>
    public static (string Key, bool Nested) TopLevelKey(string path)
    {
        if (path.StartsWith("[\"", StringComparison.Ordinal))
        {
            var end = path.IndexOf("\"]", 2, StringComparison.Ordinal);
            if (end > 0) return (path[2..end], end + 2 < path.Length);
        }
        var at = path.IndexOfAny(['.', '[']);
        return at <= 0 ? (path, false) : (path[..at], true);
    }

    /// <summary>Whether a step would delete a protected resource (the engine refuses it).</summary>
    public static bool DeletesProtected(Step step) =>
        step.Op is StepOp.Delete or StepOp.Replace or StepOp.DeleteReplaced && step.Old is { Protect: true };

    /// <summary>The plan's diagnostics plus an error for each protected resource the plan would delete, unless the plan already says so.</summary>
    public static IReadOnlyList<Diagnostic> Diagnostics(Plan plan)
    {
        List<Diagnostic>? extra = null;
        foreach (var step in plan.Steps)
        {
            if (!DeletesProtected(step)) continue;
            var already = plan.Diagnostics.Any(d => d.Urn == step.Urn && d.Severity == DiagnosticSeverity.Error
                && d.Message.Contains("protect", StringComparison.OrdinalIgnoreCase));
            if (already) continue;
            (extra ??= []).Add(new Diagnostic(DiagnosticSeverity.Error,
                $"unable to {(step.Op == StepOp.Delete ? "delete" : "replace")} resource \"{step.Urn}\" as it is protected. "
                + "To allow it, remove the Protect option from the resource in the program and run `llmctl up` first.",
                step.Urn));
        }
        return extra is null ? plan.Diagnostics : [.. plan.Diagnostics, .. extra];
    }

    public static string Severity(DiagnosticSeverity severity) => severity switch
    {
        DiagnosticSeverity.Debug => "debug",
        DiagnosticSeverity.Info => "info",
        DiagnosticSeverity.Warning => "warning",
        DiagnosticSeverity.Error => "error",
        _ => throw new ArgumentOutOfRangeException(nameof(severity)),
    };

    public static string Enforcement(EnforcementLevel level) => level switch
    {
        EnforcementLevel.Advisory => "advisory",
        EnforcementLevel.Mandatory => "mandatory",
        EnforcementLevel.Disabled => "disabled",
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    /// <summary>Violations worth showing, mandatory first, otherwise in the order given.</summary>
    public static IEnumerable<Violation> Shown(IEnumerable<Violation> violations) =>
        violations.Where(v => v.Enforcement != EnforcementLevel.Disabled).OrderBy(v => v.Enforcement == EnforcementLevel.Mandatory ? 0 : 1);

    /// <summary><c>pack v0.1.0</c>, or just the pack when its version is not known.</summary>
    public static string Pack(Violation violation, IReadOnlyDictionary<string, string> versions) =>
        versions.TryGetValue(violation.PackName, out var version) ? $"{violation.PackName} v{version.TrimStart('v')}" : violation.PackName;

    /// <summary>Go's rounded duration text: <c>2s</c>, <c>1m3s</c>, <c>1h0m5s</c>.</summary>
    public static string Duration(TimeSpan duration)
    {
        var seconds = (long)Math.Round(duration.TotalSeconds, MidpointRounding.AwayFromZero);
        var (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
        return h > 0 ? $"{h}h{m}m{s}s" : m > 0 ? $"{m}m{s}s" : $"{s}s";
    }

    /// <summary>A step's own time: <c>1.2s</c> under a minute, else <c>1m5s</c>.</summary>
    public static string Elapsed(TimeSpan elapsed) =>
        elapsed.TotalSeconds < 59.95 ? elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s" : Duration(elapsed);

    /// <summary>The root stack resource's URN for a plan, for run-level diagnostics.</summary>
    public static Urn? RootUrn(Plan plan) =>
        plan.Steps.FirstOrDefault(s => s.Type == StackResource.TypeToken)?.Urn;
}
