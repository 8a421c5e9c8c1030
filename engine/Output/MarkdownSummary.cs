using System.Collections.ObjectModel;
using System.Text;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Policy;

namespace Llmctl.Engine.Output;

public sealed record MarkdownOptions
{
    /// <summary>The verb in the heading (<c>preview</c>, <c>up</c>).</summary>
    public string Operation { get; init; } = "preview";
    public IReadOnlyList<Violation> PolicyViolations { get; init; } = [];
    public IReadOnlyDictionary<string, string> PolicyPackVersions { get; init; } = ReadOnlyDictionary<string, string>.Empty;
    /// <summary>Include the <c>--diff</c> text in a collapsed <c>&lt;details&gt;</c> block.</summary>
    public bool IncludeDiff { get; init; } = true;
    /// <summary>Rows in the change table before the rest is summed up in one line (PR comments are capped at 65,536 characters).</summary>
    public int MaxRows { get; init; } = 200;
    /// <summary>Characters of diff text before it is cut short.</summary>
    public int MaxDiffChars { get; init; } = 40_000;
}

/// <summary>
/// A plan as a pull-request comment: a heading with the stack and a one-line change summary, a table of changed
/// resources, the <c>--diff</c> text collapsed in <c>&lt;details&gt;</c>, and policy violations with mandatory ones
/// marked as blocking. Values only appear through the redacting diff, so secrets never do.
/// </summary>
public static class MarkdownSummary
{
    public static void Write(TextWriter writer, Plan plan, MarkdownOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);

        var violations = StepText.Shown(options.PolicyViolations).ToArray();
        var mandatory = violations.Count(v => v.Enforcement == EnforcementLevel.Mandatory);
        writer.WriteLine($"### llmctl {options.Operation}: `{plan.Project}/{plan.Stack}`");
        writer.WriteLine();
        var summary = ChangeLine(plan);
        if (mandatory > 0) summary += $" · ⛔ **blocked by {mandatory} mandatory policy violation{(mandatory == 1 ? "" : "s")}**";
        writer.WriteLine(summary);
        writer.WriteLine();

        var changed = plan.Shown.Where(s => s.Op.IsChange()).ToArray();
        if (changed.Length > 0)
        {
            writer.WriteLine("| | Type | Name | Changes |");
            writer.WriteLine("|:-:|---|---|---|");
            foreach (var step in changed.Take(options.MaxRows))
            {
                var keys = step.Op is StepOp.Update or StepOp.Replace ? StepText.DiffKeys(step) : "";
                var reasons = step.ReplaceReasons.Count > 0 ? $" (replace: {string.Join(", ", step.ReplaceReasons)})" : "";
                var protectedNote = StepText.DeletesProtected(step) ? " ⛔ protected" : "";
                var changes = ((keys.Length > 0 ? Code(keys) : "") + Cell(reasons + protectedNote)).Trim();
                writer.WriteLine($"| {Emoji(step.Op)} `{step.Op.Symbol().Trim()}` | {Code(step.Type)} | {Code(step.Urn.Name)} | {changes} |");
            }
            if (changed.Length > options.MaxRows) writer.WriteLine($"| | … and {changed.Length - options.MaxRows} more | | |");
            writer.WriteLine();
        }

        if (options.IncludeDiff && changed.Length > 0)
        {
            var text = new StringWriter();
            PreviewRenderer.WriteTable(text, plan, new PreviewOptions { Diff = true }, StepText.Diagnostics(plan));
            var diff = text.ToString().TrimEnd();
            if (diff.Length > options.MaxDiffChars) diff = diff[..options.MaxDiffChars] + "\n… (cut short; run `llmctl preview --diff` for the rest)";
            var fence = Fence(diff);
            writer.WriteLine("<details>");
            writer.WriteLine("<summary>Property diff</summary>");
            writer.WriteLine();
            writer.WriteLine(fence);
            writer.WriteLine(diff);
            writer.WriteLine(fence);
            writer.WriteLine();
            writer.WriteLine("</details>");
            writer.WriteLine();
        }

        if (violations.Length > 0)
        {
            writer.WriteLine("#### Policy violations");
            writer.WriteLine();
            foreach (var v in violations)
            {
                var level = v.Enforcement == EnforcementLevel.Mandatory ? "⛔ **mandatory**" : "⚠️ advisory";
                var where = v.Urn is { } urn ? $" ({Code(urn.Name)}: {Code(urn.Type)})" : "";
                writer.WriteLine($"- {level} {Code(StepText.Pack(v, options.PolicyPackVersions))} **{Cell(v.PolicyName)}**{where}: {Cell(v.Message)}");
            }
            writer.WriteLine();
        }

        var diagnostics = StepText.Diagnostics(plan).Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        if (diagnostics.Length > 0)
        {
            writer.WriteLine("#### Diagnostics");
            writer.WriteLine();
            foreach (var d in diagnostics)
            {
                var where = d.Urn is { } urn ? $" {Code(urn.Name)}:" : "";
                writer.WriteLine($"- **{StepText.Severity(d.Severity)}**{where} {Cell(d.Message)}");
            }
            writer.WriteLine();
        }
    }

    /// <summary><c>+3 to create · ~1 to update · 5 unchanged</c>, or <c>No changes</c>.</summary>
    private static string ChangeLine(Plan plan)
    {
        var counts = plan.ChangeSummary;
        var parts = new List<string>();
        foreach (var op in StepText.SummaryOps)
        {
            if (counts.GetValueOrDefault(op) is > 0 and var n) parts.Add($"**{op.Symbol().Trim()}{n}** to {op.Json()}");
        }
        if (parts.Count == 0) parts.Add("**No changes**");
        if (counts.GetValueOrDefault(StepOp.Same) is > 0 and var same) parts.Add($"{same} unchanged");
        return string.Join(" · ", parts);
    }

    private static string Emoji(StepOp op) => op switch
    {
        StepOp.Create or StepOp.CreateReplacement => "🟢",
        StepOp.Update or StepOp.Refresh => "🟡",
        StepOp.Delete or StepOp.DeleteReplaced => "🔴",
        StepOp.Replace => "🟣",
        _ => "⚪",
    };

    /// <summary>An inline code span safe inside a table cell.</summary>
    private static string Code(string text)
    {
        text = text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
        return text.Contains('`', StringComparison.Ordinal) ? $"`` {text} ``" : $"`{text}`";
    }

    /// <summary>Text safe inside a table cell or list item: pipes escaped, line breaks as <c>&lt;br&gt;</c>, HTML tags neutralised.</summary>
    private static string Cell(string text) =>
        text.Replace("<", "&lt;", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings("<br>");

    /// <summary>A code fence longer than any run of backticks in the text.</summary>
    private static string Fence(string text)
    {
        int longest = 0, run = 0;
        foreach (var c in text)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        return new string('`', Math.Max(3, longest + 1));
    }
}
