using System.Text;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Policy;

namespace Llmctl.Engine.Output;

/// <summary>
/// Pulumi's table-style preview: a tree of resources (children under their parents, in step order) with the
/// Plan and Info columns, then the <c>Diagnostics:</c>, <c>Policy Violations:</c> and <c>Resources:</c> sections.
/// One pass builds the rows, a second writes them padded to the widest cell, so rendering is linear in the steps.
/// </summary>
public static class PreviewRenderer
{
    private const string Gap = "  ";

    public static void Render(TextWriter writer, Plan plan, PreviewOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        using var output = new ChunkedWriter(writer);
        var diagnostics = StepText.Diagnostics(plan);
        WriteTable(output, plan, options, diagnostics);
        output.WriteLine();
        WriteDiagnostics(output, plan, diagnostics, options.Color);
        WriteViolations(output, options.PolicyViolations, options.PolicyPackVersions, options.Color);
        if (options.PolicyReport is { } report) WritePolicySummary(output, report, options.Color);
        WriteSummary(output, plan, options.Color);
    }

    /// <summary>
    /// <c>Policies:</c> one line per pack that ran — how many policies ran, passed, and the advisory and mandatory
    /// violations — so a clean preview still says what it checked.
    /// </summary>
    public static void WritePolicySummary(TextWriter writer, PolicyReport report, bool color)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(report);
        writer.WriteLine("Policies:");
        foreach (var pack in report.Packs)
        {
            var version = report.Policies.First(p => p.PackName == pack).PackVersion;
            var (ran, passed) = (report.Ran(pack), report.Passed(pack));
            var (advisory, mandatory) = (report.Count(pack, EnforcementLevel.Advisory), report.Count(pack, EnforcementLevel.Mandatory));
            writer.Write($"    {pack} v{version.TrimStart('v')}  {Count(ran, "policy", "policies")} run, {passed} passed");
            if (advisory > 0) Ansi.Write(writer, $", {Count(advisory, "advisory violation")}", Ansi.Yellow, color);
            if (mandatory > 0) Ansi.Write(writer, $", {Count(mandatory, "mandatory violation")}", Ansi.Red, color);
            if (report.Disabled(pack) is > 0 and var disabled) writer.Write($" ({disabled} disabled)");
            writer.WriteLine();
        }
        writer.WriteLine();

        static string Count(int n, string one, string? many = null) => $"{n} {(n == 1 ? one : many ?? one + "s")}";
    }

    /// <summary>The resource table alone (with property diffs when <see cref="PreviewOptions.Diff"/> is set).</summary>
    internal static void WriteTable(TextWriter writer, Plan plan, PreviewOptions options, IReadOnlyList<Diagnostic> diagnostics)
    {
        var rootUrn = StepText.RootUrn(plan);
        var notes = Notes(diagnostics, options.PolicyViolations, rootUrn);
        var tree = PreviewTree.Build(plan);
        MarkVisible(tree, options, notes);

        var entries = new List<Entry>(plan.Steps.Count);
        BuildEntries(tree, options, notes, entries);

        int typeWidth = 4, nameWidth = 4, planWidth = 4;
        var anyInfo = false;
        foreach (var e in entries)
        {
            if (e.Row is not { } r) continue;
            typeWidth = Math.Max(typeWidth, r.Tree.Length + r.Type.Length);
            nameWidth = Math.Max(nameWidth, r.Name.Length);
            planWidth = Math.Max(planWidth, r.Plan.Length);
            anyInfo |= r.Info.Length > 0;
        }

        var line = new StringBuilder(256);
        line.Append("     ").Append("Type".PadRight(typeWidth)).Append(Gap).Append("Name".PadRight(nameWidth)).Append(Gap).Append("Plan");
        if (anyInfo) line.Append(' ', planWidth - 4).Append(Gap).Append("Info");
        writer.WriteLine(line.ToString());

        foreach (var e in entries)
        {
            line.Clear();
            if (e.Row is { } r)
            {
                var color = Ansi.Of(r.Op);
                line.Append(' ').Append(Ansi.Paint(r.Op.Symbol(), color, options.Color)).Append(Gap)
                    .Append(r.Tree).Append(r.Type).Append(' ', typeWidth - r.Tree.Length - r.Type.Length).Append(Gap)
                    .Append(r.Name).Append(' ', nameWidth - r.Name.Length).Append(Gap)
                    .Append(Ansi.Paint(r.Plan, color, options.Color)).Append(' ', planWidth - r.Plan.Length).Append(Gap)
                    .Append(r.Info);
            }
            else
            {
                // A step's property diff, made now rather than held for the whole table: with --diff on a large
                // plan that is most of the text.
                var d = e.Diff!.Value;
                foreach (var diffLine in PropertyDiffFormatter.Lines(d.Step))
                {
                    line.Clear();
                    var text = diffLine.Text;
                    var indent = text.Length - text.AsSpan().TrimStart(' ').Length;
                    line.Append("     ").Append(d.Prefix).Append(text, 0, indent);
                    Ansi.AppendPainted(line, text.AsSpan(indent), DiffColor(diffLine.Kind), options.Color);
                    WriteTrimmed(writer, line);
                }
                continue;
            }
            WriteTrimmed(writer, line);
        }
    }

    /// <summary>Writes <paramref name="line"/> without its trailing spaces, and ends the line.</summary>
    private static void WriteTrimmed(TextWriter writer, StringBuilder line)
    {
        var end = line.Length;
        while (end > 0 && line[end - 1] == ' ') end--;
        line.Length = end;
        writer.Write(line);
        writer.WriteLine();
    }

    private readonly record struct Row(StepOp Op, string Tree, string Type, string Name, string Plan, string Info);
    private readonly record struct DiffRow(string Prefix, Step Step);
    private readonly record struct Entry(Row? Row, DiffRow? Diff);

    /// <summary>Per-URN counts shown in the Info column; run-level diagnostics count against the root stack.</summary>
    private sealed class Note
    {
        public int Errors, Warnings, Infos, Violations;
    }

    private static Dictionary<Urn, Note> Notes(IReadOnlyList<Diagnostic> diagnostics, IReadOnlyList<Violation> violations, Urn? rootUrn)
    {
        var notes = new Dictionary<Urn, Note>();
        Note? For(Urn? urn) => (urn ?? rootUrn) is { } u
            ? notes.TryGetValue(u, out var n) ? n : notes[u] = new Note()
            : null;
        foreach (var d in diagnostics)
        {
            if (For(d.Urn) is not { } note) continue;
            switch (d.Severity)
            {
                case DiagnosticSeverity.Error: note.Errors++; break;
                case DiagnosticSeverity.Warning: note.Warnings++; break;
                case DiagnosticSeverity.Info: note.Infos++; break;
            }
        }
        foreach (var v in StepText.Shown(violations))
        {
            if (For(v.Urn) is { } note) note.Violations++;
        }
        return notes;
    }

    private static void MarkVisible(PreviewTree tree, PreviewOptions options, Dictionary<Urn, Note> notes)
    {
        var stack = new Stack<PreviewTree.Node>();
        foreach (var root in tree.Roots)
        {
            if (root.Step.Type == StackResource.TypeToken) PreviewTree.Show(root);
            stack.Push(root);
        }
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            var step = node.Step;
            if (options.ShowSames || step.Op.IsChange() || notes.ContainsKey(step.Urn)) PreviewTree.Show(node);
            foreach (var child in node.Children) stack.Push(child);
        }
    }

    /// <summary>Depth-first, with an explicit stack so a deep tree cannot overflow the call stack.</summary>
    private static void BuildEntries(PreviewTree tree, PreviewOptions options, Dictionary<Urn, Note> notes, List<Entry> entries)
    {
        var stack = new Stack<(PreviewTree.Node Node, string ParentPrefix, bool TopLevel, bool Last)>();
        var roots = tree.Roots.Where(r => r.Visible).ToArray();
        for (var i = roots.Length - 1; i >= 0; i--) stack.Push((roots[i], "", true, true));

        while (stack.Count > 0)
        {
            var (node, parentPrefix, topLevel, last) = stack.Pop();
            var step = node.Step;
            var visibleChildren = 0;
            foreach (var child in node.Children)
            {
                if (child.Visible) visibleChildren++;
            }
            notes.TryGetValue(step.Urn, out var note);

            var ops = RowOps(step, options);
            for (var r = 0; r < ops.Length; r++)
            {
                var connector = topLevel ? "" : r < ops.Length - 1 || !last ? "├─ " : "└─ ";
                entries.Add(new Entry(new Row(ops[r], parentPrefix + connector, step.Type, step.Urn.Name,
                    StepText.Plan(ops[r]), Info(step, ops[r], r == 0 ? note : null)), null));
            }

            var childPrefix = topLevel ? "" : parentPrefix + (last ? "   " : "│  ");
            if (options.Diff && step.Op.IsChange())
            {
                var diffPrefix = childPrefix + (visibleChildren > 0 ? "│  " : "   ");
                entries.Add(new Entry(null, new DiffRow(diffPrefix, step)));
            }
            var lastChild = true;
            for (var i = node.Children.Count - 1; i >= 0; i--)
            {
                if (!node.Children[i].Visible) continue;
                stack.Push((node.Children[i], childPrefix, false, lastChild));
                lastChild = false;
            }
        }
    }

    /// <summary>One row per step, or a replace's <c>++</c>/<c>--</c> halves (in execution order) when asked.</summary>
    private static StepOp[] RowOps(Step step, PreviewOptions options)
    {
        if (step.Op != StepOp.Replace || !options.ShowReplacementSteps) return [step.Op];
        var deleteFirst = step.New?.DeleteBeforeReplace ?? step.Old?.DeleteBeforeReplace ?? false;
        return deleteFirst ? [StepOp.DeleteReplaced, StepOp.CreateReplacement] : [StepOp.CreateReplacement, StepOp.DeleteReplaced];
    }

    private static string Info(Step step, StepOp rowOp, Note? note)
    {
        List<string>? parts = null;
        if (rowOp is StepOp.Update or StepOp.Replace or StepOp.CreateReplacement)
        {
            (parts ??= []).Add($"[diff: {StepText.DiffKeys(step)}]");
            if (step.ReplaceReasons.Count > 0) parts.Add("replace: " + string.Join(",", step.ReplaceReasons));
        }
        if (rowOp is StepOp.Delete or StepOp.Replace or StepOp.DeleteReplaced && StepText.DeletesProtected(step)) (parts ??= []).Add("protected");
        if (rowOp.IsChange() && rowOp is not (StepOp.Delete or StepOp.DeleteReplaced) && step.New?.ProviderRef is { IdKnown: false } provider
            && !ProviderResource.IsDefaultProvider(provider.Urn))
        {
            // Its provider is created (or replaced) first in this run: the object waits for it.
            (parts ??= []).Add($"waits for provider {provider.Urn.Name}");
        }
        if (note is not null)
        {
            if (note.Errors > 0) (parts ??= []).Add(Count(note.Errors, "error"));
            if (note.Warnings > 0) (parts ??= []).Add(Count(note.Warnings, "warning"));
            if (note.Infos > 0) (parts ??= []).Add(Count(note.Infos, "message"));
            if (note.Violations > 0) (parts ??= []).Add(Count(note.Violations, "policy violation"));
        }
        return parts is null ? "" : string.Join("; ", parts);
    }

    private static string Count(int n, string what) => n == 1 ? $"1 {what}" : $"{n} {what}s";

    private static string? DiffColor(char kind) => kind switch
    {
        '+' => Ansi.Green,
        '-' => Ansi.Red,
        '~' => Ansi.Yellow,
        _ => null,
    };

    /// <summary>
    /// <c>Diagnostics:</c> grouped by resource (<c>type (name):</c>) in order of first appearance; run-level ones
    /// under the root stack.
    /// </summary>
    internal static void WriteDiagnostics(TextWriter writer, Plan plan, IReadOnlyList<Diagnostic> diagnostics, bool color)
    {
        if (diagnostics.Count == 0) return;
        var rootUrn = StepText.RootUrn(plan);
        var rootLabel = rootUrn is { } root ? Label(root) : $"{StackResource.TypeToken} ({plan.Project}-{plan.Stack})";
        writer.WriteLine("Diagnostics:");
        foreach (var group in diagnostics.GroupBy(d => d.Urn ?? rootUrn))
        {
            writer.WriteLine($"  {(group.Key is { } urn ? Label(urn) : rootLabel)}:");
            foreach (var d in group)
            {
                var severity = d.Severity == DiagnosticSeverity.Info ? "" : StepText.Severity(d.Severity) + ": ";
                var severityColor = d.Severity switch
                {
                    DiagnosticSeverity.Error => Ansi.Red,
                    DiagnosticSeverity.Warning => Ansi.Yellow,
                    DiagnosticSeverity.Debug => Ansi.Dim,
                    _ => null,
                };
                writer.Write("    ");
                Ansi.Write(writer, severity, severityColor, color);
                writer.WriteLine(Indent(d.Message, "    "));
            }
            writer.WriteLine();
        }
    }

    /// <summary><c>Policy Violations:</c> like Pulumi: <c>[mandatory]  pack v0.1.0  policy (name: type)</c> and the message.</summary>
    internal static void WriteViolations(TextWriter writer, IReadOnlyList<Violation> violations, IReadOnlyDictionary<string, string> versions, bool color)
    {
        var shown = StepText.Shown(violations).ToArray();
        if (shown.Length == 0) return;
        writer.WriteLine("Policy Violations:");
        foreach (var v in shown)
        {
            var level = $"[{StepText.Enforcement(v.Enforcement)}]";
            writer.Write("    ");
            Ansi.Write(writer, level, v.Enforcement == EnforcementLevel.Mandatory ? Ansi.Red : Ansi.Yellow, color);
            writer.Write($"  {StepText.Pack(v, versions)}  {v.PolicyName}");
            writer.WriteLine(v.Urn is { } urn ? $" ({urn.Name}: {urn.Type})" : "");
            writer.WriteLine("    " + Indent(v.Message, "    "));
            writer.WriteLine();
        }
    }

    /// <summary>
    /// <c>Resources:</c> with a line per kind of change (<c>+ 3 to create</c>), then <c>N changes. M unchanged</c>
    /// when there are several kinds, else <c>M unchanged</c>.
    /// </summary>
    internal static void WriteSummary(TextWriter writer, Plan plan, bool color)
    {
        var counts = new Dictionary<StepOp, int>();
        foreach (var step in plan.Shown)
        {
            var op = step.Op == StepOp.CreateReplacement ? StepOp.Replace : step.Op;
            if (op == StepOp.DeleteReplaced) continue;
            counts[op] = counts.GetValueOrDefault(op) + 1;
        }
        WriteResources(writer, counts, "to ", color, past: false);
    }

    internal static void WriteResources(TextWriter writer, IReadOnlyDictionary<StepOp, int> counts, string verbPrefix, bool color, bool past)
    {
        writer.WriteLine("Resources:");
        int changes = 0, kinds = 0;
        foreach (var op in StepText.SummaryOps)
        {
            if (counts.GetValueOrDefault(op) is not (> 0 and var n)) continue;
            writer.Write("    ");
            Ansi.Write(writer, op.Symbol(), Ansi.Of(op), color);
            writer.WriteLine($"{n} {verbPrefix}{(past ? op.PastTense() : op.Json())}");
            if (op.IsChange())
            {
                changes += n;
                kinds++;
            }
        }
        var same = counts.GetValueOrDefault(StepOp.Same);
        var tail = new List<string>(2);
        if (kinds > 1) tail.Add($"{changes} changes");
        if (same > 0) tail.Add($"{same} unchanged");
        if (changes == 0 && same == 0) tail.Add("no changes");
        if (tail.Count > 0) writer.WriteLine("    " + string.Join(". ", tail));
    }

    private static string Label(Urn urn) => $"{urn.Type} ({urn.Name})";

    private static string Indent(string message, string indent) =>
        message.ReplaceLineEndings("\n").TrimEnd('\n').Replace("\n", "\n" + indent, StringComparison.Ordinal);
}
