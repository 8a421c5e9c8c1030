using System.Text;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;

namespace Llmctl.Engine.Output;

/// <summary>
/// Receives progress from <c>up</c> and <c>destroy</c>. Steps run in parallel, so implementations are thread-safe.
/// Report every step, unchanged ones too: they are counted for the summary but not printed.
/// </summary>
public interface IProgressSink
{
    void StepStarted(Step step);
    void StepCompleted(Step step, TimeSpan elapsed);
    void StepFailed(Step step, string error);
    /// <summary>A running step is waiting on something (a rollout, a Pod becoming ready).</summary>
    void Waiting(Step step, string message);
    /// <summary>Writes Pulumi's closing <c>Resources:</c> summary and <c>Duration:</c>.</summary>
    void Finished(TimeSpan duration);
}

public sealed record ProgressOptions
{
    public bool Color { get; init; }
    /// <summary>Width of the live status line; longer lines are cut.</summary>
    public int Width { get; init; } = 120;
}

public static class ProgressReporter
{
    /// <summary>A live sink for a terminal, plain lines otherwise (CI logs, pipes).</summary>
    public static IProgressSink Create(TextWriter writer, ProgressOptions options, bool interactive) =>
        interactive ? new LiveProgressSink(writer, options) : new PlainProgressSink(writer, options);
}

/// <summary>
/// One line per event, for logs: <c>+ kubernetes:apps/v1:Deployment qwen-fast creating</c>, then
/// <c>… created (1.2s)</c>, <c>… creating failed: …</c> or <c>… creating: waiting for …</c>.
/// </summary>
public class PlainProgressSink(TextWriter writer, ProgressOptions options) : IProgressSink
{
    private readonly object _gate = new();
    private readonly Dictionary<StepOp, HashSet<Urn>> _done = [];
    private readonly HashSet<Urn> _failed = [];

    protected TextWriter Writer { get; } = writer;
    protected ProgressOptions Options { get; } = options;
    protected object Gate => _gate;

    public void StepStarted(Step step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (step.Op == StepOp.Same) return;
        lock (_gate) Event(step, Line(step, StepText.Progressive(step.Op)), running: true);
    }

    public void StepCompleted(Step step, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(step);
        lock (_gate)
        {
            // The halves of a replace count as one replace.
            var op = step.Op == StepOp.CreateReplacement ? StepOp.Replace : step.Op;
            if (op != StepOp.DeleteReplaced)
            {
                if (!_done.TryGetValue(op, out var urns)) _done[op] = urns = [];
                urns.Add(step.Urn);
            }
            if (step.Op == StepOp.Same) return;
            Event(step, Line(step, Past(step.Op)) + $" ({StepText.Elapsed(elapsed)})", running: false);
        }
    }

    public void StepFailed(Step step, string error)
    {
        ArgumentNullException.ThrowIfNull(step);
        lock (_gate)
        {
            _failed.Add(step.Urn);
            var message = (error ?? "").ReplaceLineEndings("\n").TrimEnd().Replace("\n", "\n    ", StringComparison.Ordinal);
            Event(step, Line(step, StepText.Progressive(step.Op) + " failed", Ansi.Red) + ": " + message, running: false);
        }
    }

    public virtual void Waiting(Step step, string message)
    {
        ArgumentNullException.ThrowIfNull(step);
        lock (_gate) Event(step, Line(step, StepText.Progressive(step.Op)) + ": " + message, running: true);
    }

    public void Finished(TimeSpan duration)
    {
        lock (_gate)
        {
            BeforeSummary();
            Writer.WriteLine();
            var counts = _done.ToDictionary(kv => kv.Key, kv => kv.Value.Count);
            PreviewRenderer.WriteResources(Writer, counts, "", Options.Color, past: true);
            if (_failed.Count > 0)
            {
                Writer.Write("    ");
                Ansi.Write(Writer, $"{_failed.Count} failed", Ansi.Red, Options.Color);
                Writer.WriteLine();
            }
            Writer.WriteLine();
            Writer.WriteLine($"Duration: {StepText.Duration(duration)}");
        }
    }

    /// <summary>Writes one event line; called under the lock. <paramref name="running"/>: the step is still going.</summary>
    protected virtual void Event(Step step, string line, bool running) => Writer.WriteLine(line);

    /// <summary>Called under the lock before the summary is written.</summary>
    protected virtual void BeforeSummary()
    {
    }

    protected string Line(Step step, string verb, string? verbColor = null)
    {
        var symbol = step.Op.Symbol().TrimEnd();
        var color = Ansi.Of(step.Op);
        return $"{Ansi.Paint(symbol, color, Options.Color)} {step.Type} {step.Urn.Name} {Ansi.Paint(verb, verbColor ?? color, Options.Color)}";
    }

    private static string Past(StepOp op) => op switch
    {
        StepOp.CreateReplacement => "created replacement",
        StepOp.DeleteReplaced => "deleted original",
        _ => op.PastTense(),
    };
}

/// <summary>
/// For a terminal: the same coloured event lines as <see cref="PlainProgressSink"/> scroll by, and one status line at
/// the bottom, redrawn in place, lists the steps still running and what each is waiting for. Waiting messages only
/// update the status line, so they do not flood the scrollback. It is redrawn on each event, not on a timer.
/// </summary>
public sealed class LiveProgressSink(TextWriter writer, ProgressOptions options) : PlainProgressSink(writer, options)
{
    private readonly Dictionary<Urn, (Step Step, string? Waiting)> _running = [];
    private bool _statusShown;

    public override void Waiting(Step step, string message)
    {
        ArgumentNullException.ThrowIfNull(step);
        lock (Gate)
        {
            _running[step.Urn] = (step, message);
            Redraw();
        }
    }

    protected override void Event(Step step, string line, bool running)
    {
        ClearStatus();
        Writer.WriteLine(line);
        if (running) _running[step.Urn] = (step, null);
        else _running.Remove(step.Urn);
        Redraw();
    }

    protected override void BeforeSummary()
    {
        ClearStatus();
        _running.Clear();
    }

    private void ClearStatus()
    {
        if (!_statusShown) return;
        Writer.Write(Ansi.ClearLine);
        _statusShown = false;
    }

    private void Redraw()
    {
        ClearStatus();
        if (_running.Count == 0) return;
        var status = new StringBuilder();
        status.Append(_running.Count).Append(" in progress: ");
        var first = true;
        foreach (var (step, waiting) in _running.Values)
        {
            if (!first) status.Append(", ");
            first = false;
            status.Append(step.Urn.Name).Append(" (").Append(waiting ?? StepText.Progressive(step.Op)).Append(')');
        }
        var text = status.Length > Options.Width - 1 ? status.ToString(0, Math.Max(0, Options.Width - 2)) + "…" : status.ToString();
        Writer.Write(Ansi.ClearLine);
        Ansi.Write(Writer, text, Ansi.Dim, Options.Color);
        Writer.Flush();
        _statusShown = true;
    }
}
